#!/usr/bin/env node
/**
 * `switchyard <command>`: the CLI entry point. Usage errors print one line and exit 2;
 * config errors print one line and exit 1.
 */
import { ConfigError } from '../config/config-error.js';
import { benchCommand, benchHelp } from './bench-command.js';
import { runCommand, runHelp } from './run-command.js';
import { simCommand, simHelp } from './sim-command.js';
import { UsageError } from './usage-error.js';

type Command = (argv: readonly string[], env: NodeJS.ProcessEnv) => Promise<number>;

const COMMANDS: Record<string, { run: Command; summary: string; help: () => string }> = {
  run: { run: runCommand, summary: 'Run the gateway.', help: runHelp },
  sim: { run: simCommand, summary: 'Run one simulated vLLM engine.', help: simHelp },
  bench: { run: benchCommand, summary: 'Compare routing algorithms on a simulated fleet.', help: benchHelp },
};

function mainHelp(): string {
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(12)}${c.summary}`);
  return `Usage: switchyard <command> [options]\n\nCommands:\n${rows.join('\n')}\n\nRun 'switchyard <command> --help' for a command's options.\n`;
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(mainHelp());
    return name ? 0 : 2;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command)
    throw new UsageError(`unknown command "${name}" (commands: ${Object.keys(COMMANDS).join(', ')})`);
  return command.run(rest, process.env);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`switchyard: ${err.message}\n`);
      process.exitCode = 2;
    } else if (err instanceof ConfigError) {
      process.stderr.write(`switchyard: config error: ${err.message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(
        `switchyard: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      process.exitCode = 1;
    }
  },
);
