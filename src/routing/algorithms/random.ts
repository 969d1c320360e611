import type { EndpointView } from '../endpoint-state.js';
import { pickRandom, type Router, type RoutingChoice } from '../router.js';

/** Uniform choice among healthy candidates. Needs no data, so it never falls back. */
export class RandomRouter implements Router {
  readonly name = 'random';
  constructor(private readonly random: () => number = Math.random) {}

  pick(_request: unknown, candidates: readonly EndpointView[]): RoutingChoice {
    return { endpoint: pickRandom(candidates, this.random) };
  }
}
