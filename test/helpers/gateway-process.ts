/**
 * Starts the real `switchyard` CLI as a child process, the way a user runs it, and reads
 * its JSON log lines. Every process started here is killed when the test process exits.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { NO_PROVIDER_ENV } from './provider-env.js';
import { LOG_FLUSH_MS } from '../../src/telemetry/logger.js';

export const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

const live = new Set<ChildProcess>();
const killAll = () => {
  for (const child of live) child.kill('SIGKILL');
};
process.on('exit', killAll);
// The test runner stops a timed-out test file with SIGTERM, which skips 'exit' handlers.
for (const [signal, code] of [
  ['SIGTERM', 143],
  ['SIGINT', 130],
] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(code);
  });
}

export interface LogLine {
  readonly level: string;
  readonly msg: string;
  readonly [key: string]: unknown;
}

export class CliProcess {
  private out = '';
  private err = '';
  readonly exited: Promise<number | null>;

  constructor(readonly child: ChildProcess) {
    live.add(child);
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      this.out += d;
    });
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      this.err += d;
    });
    this.exited = new Promise((resolve) => {
      child.once('exit', (code) => {
        live.delete(child);
        resolve(code);
      });
    });
  }

  get stdout(): string {
    return this.out;
  }

  get stderr(): string {
    return this.err;
  }

  /** Parsed JSON log lines written so far (non-JSON lines are skipped). */
  logs(): LogLine[] {
    const lines: LogLine[] = [];
    for (const line of this.out.split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        lines.push(JSON.parse(line) as LogLine);
      } catch {
        /* a partial line */
      }
    }
    return lines;
  }

  /**
   * The log lines once everything logged before this call has been written: the gateway
   * writes its log in batches, at most `LOG_FLUSH_MS` after a line is logged.
   */
  async settledLogs(): Promise<LogLine[]> {
    await new Promise((r) => setTimeout(r, 3 * LOG_FLUSH_MS));
    return this.logs();
  }

  /** Resolves with the first log line matching `predicate`. */
  async waitForLog(predicate: (line: LogLine) => boolean, timeoutMs = 15_000): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.logs().find(predicate);
      if (hit) return hit;
      if (this.child.exitCode !== null) {
        throw new Error(
          `process exited (${this.child.exitCode}) before the log line appeared:\n${this.out}\n${this.err}`,
        );
      }
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for a log line:\n${this.out}\n${this.err}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Sends `signal` and resolves with the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 20_000): Promise<number | null> {
    if (this.child.exitCode !== null) return this.child.exitCode;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}

export function spawnCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): CliProcess {
  const child = spawn(process.execPath, [CLI, ...args], {
    // Provider keys of the machine running the tests never configure a test's gateway.
    env: { ...process.env, ...NO_PROVIDER_ENV, SWITCHYARD_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new CliProcess(child);
}

/** Runs the CLI to completion. */
export async function runCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 20_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cli = spawnCli(args, env);
  const timer = setTimeout(() => cli.child.kill('SIGKILL'), timeoutMs);
  const code = await cli.exited;
  clearTimeout(timer);
  return { code, stdout: cli.stdout, stderr: cli.stderr };
}

export interface RunningGateway {
  readonly process: CliProcess;
  readonly url: string;
  readonly adminUrl: string;
  readonly port: number;
  readonly adminPort: number;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** `switchyard run` on free loopback ports; resolves once it logs that it is listening. */
export async function startGateway(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<RunningGateway> {
  const cli = spawnCli(
    ['run', '--host', '127.0.0.1', '--admin-host', '127.0.0.1', '--port', '0', '--admin-port', '0', ...args],
    env,
  );
  const ready = await cli
    .waitForLog((l) => l.msg === 'switchyard listening')
    .catch(async (err: unknown) => {
      // A gateway that never said it was ready must not outlive the test.
      await cli.stop('SIGKILL');
      throw err;
    });
  const port = ready['port'] as number;
  const adminPort = ready['adminPort'] as number;
  return {
    process: cli,
    url: `http://127.0.0.1:${port}`,
    adminUrl: `http://127.0.0.1:${adminPort}`,
    port,
    adminPort,
    stop: (signal) => cli.stop(signal),
  };
}
