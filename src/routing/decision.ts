/**
 * A routing decision as recorded for telemetry, logs and response headers.
 */
import type { RoutingChoice } from './router.js';

export interface RoutingDecision {
  /** The algorithm that was asked for (header, route or default). */
  readonly algorithm: string;
  /** What decided, as sent in the `routing-strategy` response header: `least-kv-cache->random`. */
  readonly strategy: string;
  readonly backend: string;
  readonly endpoint: string;
  readonly prefillEndpoint?: string;
  /** pd: how long the prefill step took, in ms (set once it answered). */
  readonly prefillMs?: number;
  /** Endpoint ids that were eligible. */
  readonly candidates: readonly string[];
  readonly score?: number;
  readonly matchRatio?: number;
  /** The rule used instead of the algorithm's own (`least-request`). */
  readonly fallbackTo?: string;
  /** A fixed code (`stale_engine_metrics`), fit for a metric label. */
  readonly fallbackReason?: string;
  /** A sentence saying which endpoint and which numbers, for the log line. */
  readonly fallbackDetail?: string;
}

export function describeDecision(
  algorithm: string,
  backend: string,
  choice: RoutingChoice,
  candidates: readonly { id: string }[],
): RoutingDecision {
  return {
    algorithm,
    strategy: choice.fallback ? `${algorithm}->${choice.fallback.to}` : algorithm,
    backend,
    endpoint: choice.endpoint.id,
    candidates: candidates.map((c) => c.id),
    ...(choice.prefill ? { prefillEndpoint: choice.prefill.id } : {}),
    ...(choice.score !== undefined ? { score: choice.score } : {}),
    ...(choice.matchRatio !== undefined ? { matchRatio: choice.matchRatio } : {}),
    ...(choice.fallback ? { fallbackTo: choice.fallback.to, fallbackReason: choice.fallback.reason } : {}),
    ...(choice.fallback?.detail ? { fallbackDetail: choice.fallback.detail } : {}),
  };
}
