import type { EndpointView } from '../endpoint-state.js';
import {
  lowest,
  pickRandom,
  type Router,
  type RoutingChoice,
  type Scorer,
  type ScoreSheet,
} from '../router.js';

/**
 * The endpoint that delivered the fewest output tokens per second over the recent window
 * (10 s), from the gateway's own accounting of the responses it relayed: it spreads
 * token-generation work rather than request counts. Ties (for example before any traffic)
 * go to the fewest requests in flight, then at random. Zero tokens is data too, so it
 * never falls back. Score: tokens per second (lower is better).
 */
export class ThroughputRouter implements Router, Scorer {
  readonly name = 'throughput';
  readonly better = 'lower';
  constructor(private readonly random: () => number = Math.random) {}

  pick(_request: unknown, candidates: readonly EndpointView[]): RoutingChoice {
    const rates = new Map(candidates.map((c) => [c, c.recentTokensPerSecond]));
    const quietest = lowest(candidates, (c) => rates.get(c)!);
    const endpoint = pickRandom(
      lowest(quietest, (c) => c.inFlight),
      this.random,
    );
    return { endpoint, score: rates.get(endpoint)! };
  }

  scores(_request: unknown, candidates: readonly EndpointView[]): ScoreSheet {
    return { values: candidates.map((c) => c.recentTokensPerSecond) };
  }
}
