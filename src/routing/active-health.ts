/**
 * Active health checks: `GET <path>` (vLLM's and SGLang's `/health`) on each self-hosted
 * endpoint every `intervalMs`, over a fresh connection, within `timeoutMs`; any 2xx passes.
 *
 * `unhealthyThreshold` failed checks in a row set `EndpointState.probeHealthy` to false,
 * which every algorithm honours (the pipeline only offers healthy endpoints);
 * `healthyThreshold` passed checks in a row set it back. A passed check also ends a passive
 * ejection early (as Envoy does by default), so an engine that comes back is readmitted
 * within one interval instead of after its doubling ejection time.
 *
 * Targets can be replaced while running (config reload): new endpoints start being checked
 * at once, removed ones stop.
 */
import http from 'node:http';
import https from 'node:https';
import type { EndpointState } from './endpoint-state.js';

export interface ActiveHealthOptions {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly path: string;
  readonly unhealthyThreshold: number;
  readonly healthyThreshold: number;
  /** Called when an endpoint goes out (with the last problem) or comes back (undefined). */
  readonly onChange?: (endpoint: string, problem: string | undefined) => void;
}

interface Tracked {
  state: EndpointState;
  timer?: NodeJS.Timeout;
  controller?: AbortController;
  passes: number;
  failures: number;
}

export class ActiveHealthChecker {
  private readonly tracked = new Map<string, Tracked>();
  private running = false;

  constructor(private readonly options: ActiveHealthOptions) {}

  get enabled(): boolean {
    return this.options.intervalMs > 0;
  }

  /** Starts checking the current targets (nothing when the interval is 0). */
  start(): void {
    if (!this.enabled || this.running) return;
    this.running = true;
    for (const entry of this.tracked.values()) this.schedule(entry, 0);
  }

  /** The endpoints to check from now on. */
  setTargets(states: readonly EndpointState[]): void {
    const wanted = new Map(states.map((s) => [s.id, s]));
    for (const [id, entry] of this.tracked) {
      if (wanted.get(id) === entry.state) continue;
      this.forget(entry);
      this.tracked.delete(id);
    }
    for (const state of wanted.values()) {
      if (this.tracked.has(state.id)) continue;
      const entry: Tracked = { state, passes: 0, failures: 0 };
      this.tracked.set(state.id, entry);
      if (this.running) this.schedule(entry, 0);
    }
  }

  stop(): void {
    this.running = false;
    for (const entry of this.tracked.values()) this.forget(entry);
  }

  /** One check of one endpoint; resolves with the problem, or undefined when it passed. */
  async check(state: EndpointState, signal?: AbortSignal): Promise<string | undefined> {
    try {
      await probe(state, this.options.path, this.options.timeoutMs, signal);
      return undefined;
    } catch (err) {
      return (err as Error).message;
    }
  }

  private schedule(entry: Tracked, delayMs: number): void {
    entry.timer = setTimeout(() => void this.run(entry), delayMs);
    entry.timer.unref();
  }

  private forget(entry: Tracked): void {
    if (entry.timer) clearTimeout(entry.timer);
    entry.controller?.abort();
    entry.timer = undefined;
    entry.controller = undefined;
  }

  private async run(entry: Tracked): Promise<void> {
    entry.controller = new AbortController();
    const problem = await this.check(entry.state, entry.controller.signal);
    if (!this.running || this.tracked.get(entry.state.id) !== entry) return;
    entry.controller = undefined;
    this.record(entry, problem);
    this.schedule(entry, this.options.intervalMs);
  }

  private record(entry: Tracked, problem: string | undefined): void {
    const { state } = entry;
    if (problem === undefined) {
      entry.failures = 0;
      entry.passes++;
      if (entry.passes < this.options.healthyThreshold) return;
      const wasOut = !state.probeHealthy || !state.healthy;
      state.probeHealthy = true;
      state.ejectedUntil = 0;
      state.consecutiveFailures = 0;
      if (wasOut) this.options.onChange?.(state.id, undefined);
    } else {
      entry.passes = 0;
      entry.failures++;
      if (entry.failures < this.options.unhealthyThreshold || !state.probeHealthy) return;
      state.probeHealthy = false;
      this.options.onChange?.(state.id, problem);
    }
  }
}

/** GET `path` on the endpoint; resolves on a 2xx, rejects with a short reason otherwise. */
function probe(state: EndpointState, path: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const { spec } = state;
  const transport = spec.tls ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.get({
      host: spec.host,
      port: spec.port,
      path,
      agent: false,
      headers: { accept: '*/*' },
      ...(signal ? { signal } : {}),
      ...(spec.tls ? { servername: spec.host } : {}),
    });
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new Error(err.code && err.code !== 'ERR_STREAM_PREMATURE_CLOSE' ? err.code : err.message));
    });
    req.on('response', (res) => {
      res.resume();
      res.on('error', () => {});
      clearTimeout(timer);
      const status = res.statusCode ?? 0;
      if (status >= 200 && status < 300) resolve();
      else reject(new Error(`HTTP ${status}`));
    });
  });
}
