/**
 * Starts real `switchyard sim` processes on free loopback ports (`--port 0`; the
 * 'sim listening' log line says which) and reads their Prometheus metrics.
 */
import { type CliProcess, spawnCli } from './gateway-process.js';
import { parsePrometheus, type Samples } from './prometheus.js';

export interface RunningSim {
  readonly process: CliProcess;
  readonly url: string;
  readonly port: number;
  /** `127.0.0.1:<port>`, as an endpoints file names it. */
  readonly address: string;
  readonly engineId: string;
  /** Scrapes `/metrics`. */
  metrics(): Promise<Samples>;
  stop(): Promise<number | null>;
}

export async function startSim(
  args: readonly string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<RunningSim> {
  const cli = spawnCli(['sim', '--host', '127.0.0.1', '--port', '0', ...args], env);
  const ready = await cli.waitForLog((l) => l.msg === 'sim listening');
  const port = ready['port'] as number;
  const url = `http://127.0.0.1:${port}`;
  return {
    process: cli,
    url,
    port,
    address: `127.0.0.1:${port}`,
    engineId: ready['engineId'] as string,
    async metrics() {
      const res = await fetch(`${url}/metrics`);
      return parsePrometheus(await res.text());
    },
    stop: () => cli.stop(),
  };
}

/** Polls `probe` until it returns true (bounded); for states a test waits for. */
export async function waitUntil(
  probe: () => Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
