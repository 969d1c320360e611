/**
 * The algorithm table: name -> router. One shared instance per algorithm per gateway.
 */
import { Errors } from '../api/errors.js';
import { LeastRequestRouter } from './algorithms/least-request.js';
import { RandomRouter } from './algorithms/random.js';
import type { EndpointRegistry } from './endpoint-state.js';
import type { Router } from './router.js';

export interface RouterDeps {
  readonly registry: EndpointRegistry;
  readonly random: () => number;
}

const FACTORIES: Record<string, (deps: RouterDeps) => Router> = {
  random: (deps) => new RandomRouter(deps.random),
  'least-request': (deps) => new LeastRequestRouter(deps.random),
};

export function knownAlgorithms(): string[] {
  return Object.keys(FACTORIES);
}

export function isKnownAlgorithm(name: string): boolean {
  return Object.hasOwn(FACTORIES, name);
}

/** Builds routers lazily and keeps one instance per name. */
export class RouterTable {
  private readonly routers = new Map<string, Router>();
  constructor(private readonly deps: RouterDeps) {}

  /** The router for `name`; throws the 400 for unknown names. */
  get(name: string): Router {
    let router = this.routers.get(name);
    if (!router) {
      const factory = Object.hasOwn(FACTORIES, name) ? FACTORIES[name] : undefined;
      if (!factory) throw Errors.unknownRoutingStrategy(name, knownAlgorithms());
      router = factory(this.deps);
      this.routers.set(name, router);
    }
    return router;
  }
}
