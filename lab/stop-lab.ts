/**
 * `npm run lab:stop`: stops exactly the processes `npm run lab` recorded in
 * `<run-dir>/lab.json` (newest first, each by its own process id, checked to still be the
 * process that was started), says what it stopped, and removes the record. Works after a
 * crash of the runner: the record is written as each process starts.
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { defaultRunDir } from './paths.js';
import { readState, removeState, stopProcess } from './processes.js';

const HELP = `Usage: npm run lab:stop -- [--run-dir DIR]

Stops the processes \`npm run lab\` started (recorded in <run-dir>/lab.json).

Options:
  --run-dir DIR  the run folder given to npm run lab (default .lab/run)
  -h, --help     this help
`;

async function main(argv: readonly string[]): Promise<number> {
  let values: { help?: boolean; 'run-dir'?: string };
  try {
    values = parseArgs({
      args: [...argv],
      options: { help: { type: 'boolean', short: 'h' }, 'run-dir': { type: 'string' } },
      strict: true,
    }).values;
  } catch (err) {
    process.stderr.write(`npm run lab:stop: ${(err as Error).message.split('\n')[0]}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const runDir = resolve(values['run-dir'] ?? defaultRunDir());
  const state = readState(runDir);
  if (!state) {
    process.stdout.write(`Nothing to stop: no lab was started from ${runDir}.\n`);
    return 0;
  }
  let stopped = 0;
  for (const proc of [...state.processes].reverse()) {
    const outcome = await stopProcess(proc);
    if (outcome === 'gone') {
      process.stdout.write(`  ${proc.name.padEnd(16)} pid ${proc.pid}: had already exited\n`);
    } else {
      stopped++;
      const how = outcome === 'killed' ? 'killed (did not stop on SIGTERM)' : 'stopped';
      process.stdout.write(`  ${proc.name.padEnd(16)} pid ${proc.pid}: ${how}\n`);
    }
  }
  removeState(runDir);
  process.stdout.write(
    `Stopped ${stopped} of the ${state.processes.length} processes the lab started (logs stay in ${runDir}/logs).\n`,
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`npm run lab:stop: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
