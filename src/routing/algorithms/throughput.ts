import type { EndpointView } from '../endpoint-state.js';
import {
  leastLoaded,
  lowest,
  type Router,
  type RoutingChoice,
  type Scorer,
  type ScoreSheet,
} from '../router.js';

/**
 * The endpoint given the least token work per second over the recent window (10 s), from
 * the gateway's own accounting: 2 x prompt tokens sent (estimated at dispatch as request
 * body bytes / 4, so an engine busy prefilling looks busy at once) + output tokens
 * delivered (counted as they stream). It spreads token work rather than request counts.
 * Rates within one token per second tie (as before any traffic) and go to the fewest
 * requests in flight, then at random. No traffic is data too, so it never falls back.
 * Score: weighted tokens per second (lower is better).
 */
export class ThroughputRouter implements Router, Scorer {
  readonly name = 'throughput';
  readonly better = 'lower';
  constructor(private readonly random: () => number = Math.random) {}

  pick(_request: unknown, candidates: readonly EndpointView[]): RoutingChoice {
    const rates = new Map(candidates.map((c) => [c, workRate(c)]));
    // Rates within one token per second are a tie, settled by requests in flight.
    const quietest = lowest(candidates, (c) => Math.round(rates.get(c)!));
    const endpoint = leastLoaded(quietest, this.random);
    return { endpoint, score: rates.get(endpoint)! };
  }

  scores(_request: unknown, candidates: readonly EndpointView[]): ScoreSheet {
    return { values: candidates.map(workRate) };
  }
}

/** Recent work in tokens per second; a prompt token costs two output tokens, as in AIBrix. */
export function workRate(c: EndpointView): number {
  return 2 * c.recentPromptTokensPerSecond + c.recentTokensPerSecond;
}
