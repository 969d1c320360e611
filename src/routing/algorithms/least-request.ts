import type { EndpointView } from '../endpoint-state.js';
import { lowest, pickRandom, type Router, type RoutingChoice } from '../router.js';

/**
 * Fewest in-flight requests, counted by the gateway itself (not scraped), so it reacts to
 * every request immediately. Ties are broken at random. Score: the in-flight count.
 */
export class LeastRequestRouter implements Router {
  readonly name = 'least-request';
  constructor(private readonly random: () => number = Math.random) {}

  pick(_request: unknown, candidates: readonly EndpointView[]): RoutingChoice {
    const endpoint = pickRandom(
      lowest(candidates, (c) => c.inFlight),
      this.random,
    );
    return { endpoint, score: endpoint.inFlight };
  }
}
