/**
 * Scrapes each engine's Prometheus `/metrics` on an interval and stores what routers need
 * in `EndpointState.engine` (`scrapedAt` tells routers how fresh it is; `engineStale`
 * turns true when scrapes stop succeeding).
 *
 * Read (vLLM v1 names, SGLang's as a second choice):
 * - KV-cache usage, 0..1: `vllm:kv_cache_usage_perc`, else `vllm:gpu_cache_usage_perc`,
 *   else `sglang:token_usage` (mean over label sets, e.g. data-parallel engines);
 * - running requests: `vllm:num_requests_running` / `sglang:num_running_reqs` (sum);
 * - waiting requests: `vllm:num_requests_waiting` / `sglang:num_queue_reqs` (sum).
 *
 * The URL is the endpoint's `metricsUrl` (endpoints file `metrics:` port or URL), else
 * `http(s)://host:port/metrics`. Each scrape has a timeout; a failing endpoint is retried
 * with a doubling delay (up to 30 s) and reported once when it starts and stops failing.
 */
import type { EndpointSpec } from '../config/model.js';
import type { EndpointState, EngineMetrics } from './endpoint-state.js';
import { parsePrometheusText, type Sample } from './prometheus-text.js';

export interface EngineMetricsOptions {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** Called when an endpoint's scrapes start failing (with the problem) or recover (undefined). */
  readonly onProblem?: (endpoint: string, url: string, problem: string | undefined) => void;
  readonly clock?: () => number;
}

const MAX_BACKOFF_MS = 30_000;
const MAX_BODY_BYTES = 8 * 1024 * 1024;

export function metricsUrlOf(spec: EndpointSpec): string {
  if (spec.metricsUrl) return spec.metricsUrl;
  const host = spec.host.includes(':') ? `[${spec.host}]` : spec.host;
  return `${spec.tls ? 'https' : 'http'}://${host}:${spec.port}/metrics`;
}

/** Reads the gauges routers use from one scrape's text. */
export function readEngineMetrics(text: string, scrapedAt: number): EngineMetrics {
  const samples = parsePrometheusText(text);
  const kvCacheUsage =
    mean(samples, 'vllm:kv_cache_usage_perc') ??
    mean(samples, 'vllm:gpu_cache_usage_perc') ??
    mean(samples, 'sglang:token_usage');
  const running = sum(samples, 'vllm:num_requests_running') ?? sum(samples, 'sglang:num_running_reqs');
  const waiting = sum(samples, 'vllm:num_requests_waiting') ?? sum(samples, 'sglang:num_queue_reqs');
  return {
    scrapedAt,
    ...(kvCacheUsage !== undefined ? { kvCacheUsage } : {}),
    ...(running !== undefined ? { running } : {}),
    ...(waiting !== undefined ? { waiting } : {}),
  };
}

function valuesOf(samples: readonly Sample[], name: string): number[] {
  return samples.filter((s) => s.name === name && Number.isFinite(s.value)).map((s) => s.value);
}

function mean(samples: readonly Sample[], name: string): number | undefined {
  const values = valuesOf(samples, name);
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : undefined;
}

function sum(samples: readonly Sample[], name: string): number | undefined {
  const values = valuesOf(samples, name);
  return values.length ? values.reduce((a, b) => a + b, 0) : undefined;
}

export class EngineMetricsPoller {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly failing = new Map<string, number>();
  private readonly inFlight = new Set<AbortController>();
  private stopped = false;
  private readonly clock: () => number;

  constructor(
    private readonly targets: readonly EndpointState[],
    private readonly options: EngineMetricsOptions,
  ) {
    this.clock = options.clock ?? Date.now;
  }

  /** Starts one scrape loop per endpoint; the first scrape runs at once. */
  start(): void {
    if (this.options.intervalMs <= 0) return;
    for (const state of this.targets) void this.loop(state);
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const controller of this.inFlight) controller.abort();
  }

  /** One scrape of one endpoint; stores the result on success. Resolves the problem, if any. */
  async scrape(state: EndpointState): Promise<string | undefined> {
    const url = metricsUrlOf(state.spec);
    const controller = new AbortController();
    this.inFlight.add(controller);
    const timer = setTimeout(() => controller.abort(), this.options.timeoutMs);
    try {
      const res = await fetch(url, { signal: controller.signal, headers: { accept: 'text/plain' } });
      if (!res.ok) {
        await res.body?.cancel();
        return `HTTP ${res.status}`;
      }
      const length = Number(res.headers.get('content-length') ?? 0);
      if (length > MAX_BODY_BYTES) {
        await res.body?.cancel();
        return `metrics body of ${length} bytes is too large`;
      }
      const text = await res.text();
      state.engine = readEngineMetrics(text, this.clock());
      return undefined;
    } catch (err) {
      if (controller.signal.aborted)
        return this.stopped ? 'stopped' : `no answer within ${this.options.timeoutMs} ms`;
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      return cause?.code ?? cause?.message ?? (err as Error).message;
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(controller);
    }
  }

  private async loop(state: EndpointState): Promise<void> {
    if (this.stopped) return;
    const problem = await this.scrape(state);
    if (this.stopped) return;
    const failures = problem ? (this.failing.get(state.id) ?? 0) + 1 : 0;
    const wasFailing = this.failing.has(state.id);
    if (problem) this.failing.set(state.id, failures);
    else this.failing.delete(state.id);
    if (problem && !wasFailing) this.options.onProblem?.(state.id, metricsUrlOf(state.spec), problem);
    if (!problem && wasFailing) this.options.onProblem?.(state.id, metricsUrlOf(state.spec), undefined);
    const delay = problem
      ? Math.min(MAX_BACKOFF_MS, this.options.intervalMs * 2 ** Math.min(failures - 1, 10))
      : this.options.intervalMs;
    const timer = setTimeout(() => void this.loop(state), delay);
    timer.unref();
    this.timers.set(state.id, timer);
  }
}
