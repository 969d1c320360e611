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
  /** Endpoint ids that were eligible. */
  readonly candidates: readonly string[];
  readonly score?: number;
  readonly matchRatio?: number;
  readonly fallbackReason?: string;
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
    ...(choice.fallback ? { fallbackReason: choice.fallback.reason } : {}),
  };
}
