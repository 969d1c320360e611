/**
 * The bench's real processes: `switchyard sim` engines and a `switchyard run` gateway,
 * each a child process of this CLI on free loopback ports, found by its startup log line.
 * Every child is killed if the bench exits.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));
const live = new Set<ChildProcess>();
let cleanupInstalled = false;

/**
 * Kills every child when the bench exits or is interrupted (Ctrl-C, kill), then exits as
 * the signal asks. Called by the bench only: other commands handle their own signals.
 */
export function killChildrenOnExit(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  const killAll = () => {
    for (const child of live) child.kill('SIGKILL');
  };
  process.on('exit', killAll);
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.once(signal, () => {
      killAll();
      process.exit(code);
    });
  }
}

export class Child {
  private lines: string[] = [];
  readonly exited: Promise<number | null>;

  private constructor(private readonly child: ChildProcess) {
    live.add(child);
    let partial = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      const parts = (partial + d).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) if (line.startsWith('{')) this.lines.push(line);
      if (this.lines.length > 10_000) this.lines = this.lines.slice(-1_000);
    });
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      this.lines.push(JSON.stringify({ level: 'stderr', msg: d }));
    });
    this.exited = new Promise((resolve) => {
      child.once('exit', (code) => {
        live.delete(child);
        resolve(code);
      });
    });
  }

  static spawn(args: readonly string[]): Child {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, SWITCHYARD_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new Child(child);
  }

  /** The first JSON log line whose `msg` is `msg`; rejects if the process exits first. */
  async waitForLog(msg: string, timeoutMs = 20_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const line of this.lines) {
        try {
          const parsed = JSON.parse(line) as Record<string, unknown>;
          if (parsed['msg'] === msg) return parsed;
        } catch {
          /* not JSON */
        }
      }
      if (this.child.exitCode !== null)
        throw new Error(`process exited (${this.child.exitCode}): ${this.lines.join('\n')}`);
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for "${msg}": ${this.lines.slice(-20).join('\n')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }
}

export interface EngineFlags {
  readonly kvBlocks: number;
  readonly blockSize: number;
  readonly maxNumSeqs: number;
  readonly prefillMsPerToken: number;
  readonly decodeMsPerToken: number;
  readonly ttftOverheadMs: number;
  readonly timeScale: number;
  readonly seed: number;
}

export interface Engine {
  readonly address: string;
  readonly role: 'both' | 'prefill' | 'decode';
  readonly roleset?: string;
  /** The engine's Prometheus text. */
  metrics(): Promise<string>;
  stop(): Promise<void>;
}

export const BENCH_MODEL = 'bench-model';

export async function startEngine(
  flags: EngineFlags,
  role: Engine['role'] = 'both',
  roleset?: string,
): Promise<Engine> {
  const child = Child.spawn([
    'sim',
    '--host',
    '127.0.0.1',
    '--port',
    '0',
    '--model',
    BENCH_MODEL,
    '--role',
    role,
    '--kv-blocks',
    String(flags.kvBlocks),
    '--block-size',
    String(flags.blockSize),
    '--max-num-seqs',
    String(flags.maxNumSeqs),
    '--prefill-ms-per-token',
    String(flags.prefillMsPerToken),
    '--decode-ms-per-token',
    String(flags.decodeMsPerToken),
    '--ttft-overhead-ms',
    String(flags.ttftOverheadMs),
    '--time-scale',
    String(flags.timeScale),
    '--seed',
    String(flags.seed),
  ]);
  const ready = await child.waitForLog('sim listening');
  const address = `127.0.0.1:${ready['port'] as number}`;
  return {
    address,
    role,
    ...(roleset ? { roleset } : {}),
    async metrics() {
      const res = await fetch(`http://${address}/metrics`);
      return res.text();
    },
    stop: () => child.stop(),
  };
}

export interface Gateway {
  readonly url: string;
  readonly adminUrl: string;
  stop(): Promise<void>;
}

/** Writes an endpoints file for `engines` (rolesets when they have roles) and starts the gateway. */
export async function startGateway(
  engines: readonly Engine[],
  algorithm: string,
  dir: string,
  extraFlags: readonly string[] = [],
): Promise<Gateway> {
  const file = join(dir, 'endpoints.yaml');
  writeFileSync(file, endpointsYaml(engines));
  const child = Child.spawn([
    'run',
    '--endpoints-config',
    file,
    '--routing-algorithm',
    algorithm,
    '--host',
    '127.0.0.1',
    '--admin-host',
    '127.0.0.1',
    '--port',
    '0',
    '--admin-port',
    '0',
    '--log-level',
    'info',
    ...extraFlags,
  ]);
  const ready = await child.waitForLog('switchyard listening');
  return {
    url: `http://127.0.0.1:${ready['port'] as number}`,
    adminUrl: `http://127.0.0.1:${ready['adminPort'] as number}`,
    stop: () => child.stop(),
  };
}

function endpointsYaml(engines: readonly Engine[]): string {
  const lines = ['models:', `  - name: ${JSON.stringify(BENCH_MODEL)}`];
  if (engines.every((e) => e.role === 'both')) {
    lines.push('    endpoints:');
    for (const e of engines) lines.push(`      - "${e.address}"`);
  } else {
    lines.push('    rolesets:');
    const sets = [...new Set(engines.map((e) => e.roleset ?? 'default'))];
    for (const set of sets) {
      const members = engines.filter((e) => (e.roleset ?? 'default') === set);
      lines.push(`      - name: ${JSON.stringify(set)}`);
      for (const role of ['prefill', 'decode'] as const) {
        lines.push(`        ${role}:`);
        for (const e of members.filter((m) => m.role === role)) lines.push(`          - "${e.address}"`);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}
