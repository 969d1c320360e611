import type { EndpointView } from '../endpoint-state.js';
import {
  type Fallback,
  leastLoaded,
  lowest,
  type Router,
  type RoutingChoice,
  type RoutingRequest,
  type Scorer,
  type ScoreSheet,
} from '../router.js';

/** Output tokens assumed when the request sets no `max_tokens`. */
const DEFAULT_OUTPUT_TOKENS = 128;
const MAX_OUTPUT_TOKENS = 4096;

/**
 * The lowest expected latency for this request, from the gateway's own moving averages of
 * each endpoint's time to first token (TTFT) and time per output token (TPOT), measured on
 * the streamed responses it relayed:
 *
 *   expected = TTFT * (1 + inFlight) + TPOT * outputTokens
 *
 * `inFlight` is the gateway's own count, which moves with every request (the engine's
 * `vllm:num_requests_waiting` would not do: it is a scrape old, and counts only requests
 * waiting for a batch slot, not those queued for prefill); `outputTokens` is the request's
 * `max_completion_tokens`/`max_tokens` (128 when unset, at most 4096). Ties go to the
 * fewest requests in flight, then at random.
 *
 * Fallback: until every candidate has served at least one streamed response (so has both
 * averages), the decision is `least-request` (`no_latency_samples`), which also gives
 * each endpoint its first samples. Score: expected milliseconds (lower is better).
 */
export class LeastLatencyRouter implements Router, Scorer {
  readonly name = 'least-latency';
  readonly better = 'lower';
  constructor(private readonly random: () => number = Math.random) {}

  pick(request: RoutingRequest, candidates: readonly EndpointView[]): RoutingChoice {
    const unsampled = candidates.find((c) => c.ttftMs === undefined || c.tpotMs === undefined);
    if (unsampled) {
      return { endpoint: leastLoaded(candidates, this.random), fallback: noSamples(unsampled) };
    }
    const tokens = outputTokens(request);
    const expected = new Map(candidates.map((c) => [c, expectedMs(c, tokens)!]));
    const fastest = lowest(candidates, (c) => Math.round(expected.get(c)!));
    const endpoint = leastLoaded(fastest, this.random);
    return { endpoint, score: expected.get(endpoint)! };
  }

  scores(request: RoutingRequest, candidates: readonly EndpointView[]): ScoreSheet {
    const tokens = outputTokens(request);
    const values = candidates.map((c) => expectedMs(c, tokens));
    if (values.every((v) => v === undefined)) {
      const fallback = noSamples(candidates[0]!);
      return { missing: fallback.reason, detail: 'no endpoint has latency samples yet' };
    }
    return { values };
  }
}

/** Expected latency in ms, or undefined without samples. */
export function expectedMs(c: EndpointView, outputTokens: number): number | undefined {
  if (c.ttftMs === undefined || c.tpotMs === undefined) return undefined;
  return c.ttftMs * (1 + c.inFlight) + c.tpotMs * outputTokens;
}

export function outputTokens(request: RoutingRequest): number {
  const body = request.body;
  const limit = body['max_completion_tokens'] ?? body['max_tokens'];
  if (typeof limit !== 'number' || !Number.isFinite(limit) || limit < 1) return DEFAULT_OUTPUT_TOKENS;
  return Math.min(Math.floor(limit), MAX_OUTPUT_TOKENS);
}

function noSamples(c: EndpointView): Fallback {
  return {
    to: 'least-request',
    reason: 'no_latency_samples',
    detail: `${c.id} has not served a streamed response yet`,
  };
}
