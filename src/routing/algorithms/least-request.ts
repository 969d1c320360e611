import type { EndpointView } from '../endpoint-state.js';
import { leastLoaded, type Router, type RoutingChoice, type Scorer, type ScoreSheet } from '../router.js';

/**
 * Fewest in-flight requests, counted by the gateway itself (not scraped), so it reacts to
 * every request immediately. Ties are broken at random. Needs no outside data, so it
 * never falls back. Score: the in-flight count (lower is better).
 */
export class LeastRequestRouter implements Router, Scorer {
  readonly name = 'least-request';
  readonly better = 'lower';
  constructor(private readonly random: () => number = Math.random) {}

  pick(_request: unknown, candidates: readonly EndpointView[]): RoutingChoice {
    const endpoint = leastLoaded(candidates, this.random);
    return { endpoint, score: endpoint.inFlight };
  }

  scores(_request: unknown, candidates: readonly EndpointView[]): ScoreSheet {
    return { values: candidates.map((c) => c.inFlight) };
  }
}
