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
import http from 'node:http';
import https from 'node:https';
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
    const controller = new AbortController();
    this.inFlight.add(controller);
    try {
      const text = await fetchText(metricsUrlOf(state.spec), this.options.timeoutMs, controller.signal);
      state.engine = readEngineMetrics(text, this.clock());
      return undefined;
    } catch (err) {
      return this.stopped ? 'stopped' : (err as Error).message;
    } finally {
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

/**
 * GETs `url` with node's http client (fetch refuses some ports engines may use) and
 * resolves with the body; rejects with a short reason: `HTTP 404`, `ECONNREFUSED`,
 * `no answer within 1000 ms`.
 */
function fetchText(url: string, timeoutMs: number, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      reject(new Error(`bad URL ${url}`));
      return;
    }
    const transport = target.protocol === 'https:' ? https : http;
    const req = transport.get(target, { headers: { accept: 'text/plain' }, signal, agent: false });
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new Error(err.code && err.code !== 'ERR_STREAM_PREMATURE_CLOSE' ? err.code : err.message));
    });
    req.on('response', (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        clearTimeout(timer);
        reject(new Error(`HTTP ${res.statusCode}`));
        return;
      }
      const chunks: Buffer[] = [];
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > MAX_BODY_BYTES) req.destroy(new Error(`metrics body over ${MAX_BODY_BYTES} bytes`));
        else chunks.push(chunk);
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve(Buffer.concat(chunks).toString('utf8'));
      });
    });
  });
}
