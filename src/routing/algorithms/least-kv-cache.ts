import type { EndpointView } from '../endpoint-state.js';
import {
  type Fallback,
  leastLoaded,
  lowest,
  type Router,
  type RoutingChoice,
  type Scorer,
  type ScoreSheet,
} from '../router.js';

/**
 * The endpoint whose engine reports the lowest KV-cache usage (`vllm:kv_cache_usage_perc`,
 * or the older `vllm:gpu_cache_usage_perc`, scraped from its `/metrics`). Usages within one
 * percentage point count as equal and go to the fewest requests in flight, which damps the
 * herding a scrape interval would otherwise cause.
 *
 * Fallback: when any candidate has no fresh usage (never scraped, scrape failing, older
 * than the staleness bound, or an engine that does not export it), the whole decision is
 * `least-request` and says why. Score: usage, 0..1 (lower is better).
 */
export class LeastKvCacheRouter implements Router, Scorer {
  readonly name = 'least-kv-cache';
  readonly better = 'lower';
  constructor(private readonly random: () => number = Math.random) {}

  pick(_request: unknown, candidates: readonly EndpointView[]): RoutingChoice {
    const missing = missingUsage(candidates);
    if (missing) return { endpoint: leastLoaded(candidates, this.random), fallback: missing };
    const emptiest = lowest(candidates, (c) => Math.round(c.engine!.kvCacheUsage! * 100));
    const endpoint = leastLoaded(emptiest, this.random);
    return { endpoint, score: endpoint.engine!.kvCacheUsage! };
  }

  scores(_request: unknown, candidates: readonly EndpointView[]): ScoreSheet {
    const values = candidates.map((c) => (hasFreshUsage(c) ? c.engine!.kvCacheUsage : undefined));
    if (values.every((v) => v === undefined)) {
      const missing = missingUsage(candidates)!;
      return { missing: missing.reason, ...(missing.detail ? { detail: missing.detail } : {}) };
    }
    return { values, bounds: [0, 1] };
  }
}

function hasFreshUsage(c: EndpointView): boolean {
  return !c.engineStale && c.engine?.kvCacheUsage !== undefined;
}

/** The fallback for the first candidate without a fresh usage, if any. */
function missingUsage(candidates: readonly EndpointView[]): Fallback | undefined {
  for (const c of candidates) {
    if (hasFreshUsage(c)) continue;
    const reason =
      c.engine === undefined
        ? 'no_engine_metrics'
        : c.engineStale
          ? 'stale_engine_metrics'
          : 'no_kv_cache_metric';
    const detail =
      reason === 'no_engine_metrics'
        ? `no engine metrics scraped from ${c.id} yet`
        : reason === 'stale_engine_metrics'
          ? `the engine metrics of ${c.id} are stale`
          : `${c.id} exports no vllm:kv_cache_usage_perc`;
    return { to: 'least-request', reason, detail };
  }
  return undefined;
}
