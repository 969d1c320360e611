/**
 * The lab's real parts for end-to-end tests: Phoenix, the OpenTelemetry Collector and
 * Prometheus, as installed by `scripts/lab/install.sh` into `$SWITCHYARD_LAB_DIR`
 * (default `<repo>/.lab`). Each is started on free loopback ports and stopped, by pid,
 * when the test process exits.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closedPort } from '../helpers/ports.js';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
export const LAB = process.env['SWITCHYARD_LAB_DIR'] ?? join(REPO, '.lab');

/** Path of a lab binary; a clear failure when the install has not run. */
export function labBinary(name: string): string {
  const path = join(LAB, 'bin', name);
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: run scripts/lab/install.sh (SWITCHYARD_LAB_DIR=${LAB}) first`);
  }
  return path;
}

const started = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of started) if (child.exitCode === null) child.kill('SIGKILL');
});

/** A free loopback port for a process to listen on. */
export const freePort = closedPort;

export interface LabProcess {
  readonly child: ChildProcess;
  readonly logFile: string;
  stop(): Promise<void>;
}

/** Starts `command` with its output in a log file (named in failures). */
export function startProcess(
  name: string,
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): LabProcess {
  const dir = mkdtempSync(join(tmpdir(), `switchyard-e2e-${name}-`));
  const logFile = join(dir, `${name}.log`);
  const fd = openSync(logFile, 'w');
  const child = spawn(command, [...args], { env: { ...process.env, ...env }, stdio: ['ignore', fd, fd] });
  started.add(child);
  return {
    child,
    logFile,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      started.delete(child);
    },
  };
}

/** Polls until `url` answers 2xx. */
export async function waitHttp(url: string, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`${what} did not answer ${url} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Polls `probe` until it returns a value (not undefined). */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

// ---- Phoenix --------------------------------------------------------------------------

export interface PhoenixSpan {
  readonly name: string;
  readonly context: { readonly trace_id: string; readonly span_id: string };
  readonly parent_id: string | null;
  readonly span_kind: string;
  readonly status_code: string;
  readonly status_message?: string;
  readonly attributes: Record<string, unknown>;
  readonly events: { name: string; attributes?: Record<string, unknown> }[];
}

export class Phoenix {
  private constructor(
    readonly process: LabProcess,
    readonly port: number,
  ) {}

  static async start(): Promise<Phoenix> {
    const [port, grpcPort] = [await freePort(), await freePort()];
    const workingDir = mkdtempSync(join(tmpdir(), 'switchyard-e2e-phoenix-data-'));
    const proc = startProcess('phoenix', labBinary('phoenix'), ['serve'], {
      PHOENIX_WORKING_DIR: workingDir,
      PHOENIX_PORT: String(port),
      PHOENIX_GRPC_PORT: String(grpcPort),
    });
    await waitHttp(`http://127.0.0.1:${port}/readyz`, 180_000, `Phoenix (log: ${proc.logFile})`);
    return new Phoenix(proc, port);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Every span of a project, attributes flattened to dotted keys whatever shape Phoenix returns. */
  async spans(project: string): Promise<PhoenixSpan[]> {
    const res = await fetch(`${this.url}/v1/projects/${encodeURIComponent(project)}/spans?limit=1000`);
    if (res.status === 404) return [];
    if (!res.ok) throw new Error(`Phoenix GET spans: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { data: PhoenixSpan[] };
    return body.data.map((s) => ({ ...s, attributes: flatten(s.attributes ?? {}), events: s.events ?? [] }));
  }

  /** Waits until the project holds a span whose `switchyard.request_id` is `requestId`. */
  async spanFor(project: string, requestId: string, timeoutMs = 30_000): Promise<PhoenixSpan> {
    return eventually(
      async () =>
        (await this.spans(project)).find((s) => s.attributes['switchyard.request_id'] === requestId),
      timeoutMs,
      `span ${requestId} in Phoenix project ${project}`,
    );
  }
}

/** `{llm: {model_name: 'x'}}` and `{'llm.model_name': 'x'}` both give `{'llm.model_name': 'x'}`. */
export function flatten(value: Record<string, unknown>, prefix = '', out: Record<string, unknown> = {}) {
  for (const [key, v] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const isVector = Array.isArray(v) && v.every((x) => typeof x !== 'object' || x === null);
    if (v !== null && typeof v === 'object' && !isVector) flatten(v as Record<string, unknown>, path, out);
    else out[path] = v;
  }
  return out;
}

// ---- Collector and Prometheus ---------------------------------------------------------

export async function startCollector(
  phoenixPort: number,
): Promise<{ process: LabProcess; otlpHttpPort: number; promExporterPort: number }> {
  // Every port the config opens, so a lab running beside the tests never clashes.
  const ports = {
    OTELCOL_OTLP_HTTP_PORT: await freePort(),
    OTELCOL_OTLP_GRPC_PORT: await freePort(),
    OTELCOL_HEALTH_PORT: await freePort(),
    OTELCOL_PROM_PORT: await freePort(),
    OTELCOL_SELF_METRICS_PORT: await freePort(),
  };
  const env = Object.fromEntries(
    Object.entries({ ...ports, PHOENIX_PORT: phoenixPort }).map(([k, v]) => [k, String(v)]),
  );
  const proc = startProcess(
    'otelcol',
    labBinary('otelcol-switchyard'),
    ['--config', join(REPO, 'configs/otel-collector.yaml')],
    env,
  );
  await waitHttp(
    `http://127.0.0.1:${ports.OTELCOL_HEALTH_PORT}/`,
    30_000,
    `the collector (log: ${proc.logFile})`,
  );
  return {
    process: proc,
    otlpHttpPort: ports.OTELCOL_OTLP_HTTP_PORT,
    promExporterPort: ports.OTELCOL_PROM_PORT,
  };
}

export async function prometheusQuery(
  url: string,
  query: string,
): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(query)}`);
  const body = (await res.json()) as {
    status: string;
    data: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  if (body.status !== 'success') throw new Error(`query ${query} failed: ${JSON.stringify(body)}`);
  return body.data.result;
}
