/**
 * One algorithm's run on one workload, summarised: latency percentiles (engine ms),
 * throughput, the engines' own prefix-cache hit rate, load spread, and fallbacks.
 */
import { parsePrometheusText } from '../routing/prometheus-text.js';
import type { RequestRecord } from './driver.js';

export interface RunSummary {
  readonly workload: string;
  readonly algorithm: string;
  readonly requests: number;
  readonly errors: number;
  readonly ttftMs: { readonly p50: number; readonly p90: number; readonly p99: number };
  readonly e2eMs: { readonly p50: number; readonly p99: number };
  /** Output tokens per engine second over the whole run. */
  readonly outputTokensPerSecond: number;
  /** Prefix-cache hits / queries, in tokens, summed over the engines that compute prompts. */
  readonly hitRate: number;
  /** Requests served by each endpoint (`target-pod`). */
  readonly perEndpoint: Readonly<Record<string, number>>;
  /** Busiest endpoint's share over the mean share: 1 is perfectly even. */
  readonly spread: number;
  /** `switchyard_routing_fallbacks_total` at the end of the run, by reason. */
  readonly fallbacks: Readonly<Record<string, number>>;
  readonly wallSeconds: number;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function summarise(input: {
  workload: string;
  algorithm: string;
  records: readonly RequestRecord[];
  wallMs: number;
  timeScale: number;
  /** Metrics text of the engines that compute prompts (both, prefill). */
  engineMetrics: readonly string[];
  /** Endpoint ids of the fleet, so idle endpoints count in the spread. */
  endpoints: readonly string[];
  gatewayMetrics: string;
}): RunSummary {
  const { records } = input;
  const ok = records.filter((r) => !r.error);
  const ttfts = ok.map((r) => r.ttftMs).filter((t): t is number => t !== undefined);
  const e2es = ok.map((r) => r.e2eMs);
  const engineSeconds = input.wallMs / input.timeScale / 1000;
  const perEndpoint: Record<string, number> = Object.fromEntries(input.endpoints.map((e) => [e, 0]));
  for (const r of ok) if (r.pod) perEndpoint[r.pod] = (perEndpoint[r.pod] ?? 0) + 1;
  const counts = Object.values(perEndpoint);
  const mean = counts.reduce((a, b) => a + b, 0) / Math.max(1, counts.length);
  let hits = 0;
  let queries = 0;
  for (const text of input.engineMetrics) {
    for (const s of parsePrometheusText(text)) {
      if (s.name === 'vllm:prefix_cache_hits_total') hits += s.value;
      if (s.name === 'vllm:prefix_cache_queries_total') queries += s.value;
    }
  }
  const fallbacks: Record<string, number> = {};
  for (const s of parsePrometheusText(input.gatewayMetrics)) {
    if (s.name !== 'switchyard_routing_fallbacks_total' || s.value === 0) continue;
    const key = `${s.labels['to']}:${s.labels['reason']}`;
    fallbacks[key] = (fallbacks[key] ?? 0) + s.value;
  }
  return {
    workload: input.workload,
    algorithm: input.algorithm,
    requests: records.length,
    errors: records.length - ok.length,
    ttftMs: { p50: percentile(ttfts, 50), p90: percentile(ttfts, 90), p99: percentile(ttfts, 99) },
    e2eMs: { p50: percentile(e2es, 50), p99: percentile(e2es, 99) },
    outputTokensPerSecond: ok.reduce((n, r) => n + r.outputTokens, 0) / engineSeconds,
    hitRate: queries ? hits / queries : 0,
    perEndpoint,
    spread: mean ? Math.max(...counts) / mean : 0,
    fallbacks,
    wallSeconds: input.wallMs / 1000,
  };
}
