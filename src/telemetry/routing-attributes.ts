/**
 * Switchyard's own span attributes, `switchyard.routing.*`: how the request was routed,
 * among which endpoints, why, and (prefill/decode) where and how long the prefill ran.
 * Routing facts are never private, so no masking rule touches them.
 */
import type { RoutingDecision } from '../routing/decision.js';
import type { AttributeSink } from './openinference/redaction.js';
import type { PrefillResult } from './request-telemetry.js';

export const ROUTING_ATTRIBUTES = {
  ALGORITHM: 'switchyard.routing.algorithm',
  STRATEGY: 'switchyard.routing.strategy',
  BACKEND: 'switchyard.routing.backend',
  ENDPOINT: 'switchyard.routing.endpoint',
  CANDIDATES: 'switchyard.routing.candidates',
  SCORE: 'switchyard.routing.score',
  MATCH_RATIO: 'switchyard.routing.match_ratio',
  FALLBACK: 'switchyard.routing.fallback',
  FALLBACK_REASON: 'switchyard.routing.fallback_reason',
  ATTEMPTS: 'switchyard.routing.attempts',
  PREFILL_ENDPOINT: 'switchyard.routing.prefill_endpoint',
  PREFILL_DURATION_MS: 'switchyard.routing.prefill_duration_ms',
} as const;

/**
 * @param attempts how many endpoints were tried (more than one after a retry elsewhere).
 */
export function routingAttributes(
  sink: AttributeSink,
  decision: RoutingDecision,
  attempts: number,
  prefill: PrefillResult | undefined,
): void {
  const A = ROUTING_ATTRIBUTES;
  sink.set(A.ALGORITHM, decision.algorithm);
  sink.set(A.STRATEGY, decision.strategy);
  sink.set(A.BACKEND, decision.backend);
  sink.set(A.ENDPOINT, decision.endpoint);
  sink.set(A.CANDIDATES, [...decision.candidates]);
  sink.set(A.SCORE, decision.score);
  sink.set(A.MATCH_RATIO, decision.matchRatio);
  sink.set(A.FALLBACK, decision.fallbackReason !== undefined);
  sink.set(A.FALLBACK_REASON, decision.fallbackReason);
  sink.set(A.ATTEMPTS, attempts);
  sink.set(A.PREFILL_ENDPOINT, prefill?.endpoint ?? decision.prefillEndpoint);
  sink.set(A.PREFILL_DURATION_MS, prefill?.durationMs);
}
