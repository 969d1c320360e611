/**
 * The algorithm table: name -> router. One shared instance per algorithm per gateway, so
 * state that routers learn (prefix index, session table) is kept across requests.
 *
 * Names are spelled as AIBrix spells them. A weighted combination of scoring algorithms
 * is written `prefix-cache:2,least-request:1` (see `algorithms/weighted.ts`).
 */
import { Errors } from '../api/errors.js';
import { DEFAULT_ROUTING_TUNING, type RoutingTuning } from '../config/model.js';
import { LeastKvCacheRouter } from './algorithms/least-kv-cache.js';
import { LeastLatencyRouter } from './algorithms/least-latency.js';
import { LeastRequestRouter } from './algorithms/least-request.js';
import { PdRouter } from './algorithms/pd.js';
import { PrefixCacheRouter } from './algorithms/prefix-cache.js';
import { RandomRouter } from './algorithms/random.js';
import { SessionAffinityRouter } from './algorithms/session-affinity.js';
import { ThroughputRouter } from './algorithms/throughput.js';
import { formatParts, type WeightedPart, WeightedRouter } from './algorithms/weighted.js';
import type { EndpointRegistry } from './endpoint-state.js';
import { PrefixIndex } from './prefix-index.js';
import { PromptBlocks } from './prompt-blocks.js';
import { isScorer, type Router } from './router.js';

export interface RouterDeps {
  readonly registry: EndpointRegistry;
  readonly random: () => number;
  readonly clock: () => number;
  readonly tuning: RoutingTuning;
  /** Shared by prefix-cache, pd and combinations: one view of what each engine caches. */
  readonly prefixIndex: PrefixIndex;
  readonly prompts: PromptBlocks;
}

/** Fills the shared parts of `RouterDeps` from the tuning (defaults for unset fields). */
export function routerDeps(base: {
  registry: EndpointRegistry;
  random: () => number;
  clock?: () => number;
  tuning?: Partial<RoutingTuning>;
}): RouterDeps {
  const tuning = { ...DEFAULT_ROUTING_TUNING, ...base.tuning };
  const clock = base.clock ?? Date.now;
  return {
    registry: base.registry,
    random: base.random,
    clock,
    tuning,
    prefixIndex: new PrefixIndex({
      maxBlocks: tuning.prefixIndexMaxBlocks,
      ttlMs: tuning.prefixIndexTtlMs,
      clock,
    }),
    prompts: new PromptBlocks(tuning.prefixBlockSize),
  };
}

/** What the prefix-aware routers (prefix-cache, pd) take from the shared deps. */
export const prefixDeps = (deps: RouterDeps) => ({
  index: deps.prefixIndex,
  prompts: deps.prompts,
  imbalanceThreshold: deps.tuning.loadImbalanceThreshold,
  minMatchRatio: deps.tuning.prefixMinMatchRatio,
  random: deps.random,
});

const FACTORIES: Record<string, (deps: RouterDeps) => Router> = {
  random: (deps) => new RandomRouter(deps.random),
  'least-request': (deps) => new LeastRequestRouter(deps.random),
  throughput: (deps) => new ThroughputRouter(deps.random),
  'least-kv-cache': (deps) => new LeastKvCacheRouter(deps.random),
  'least-latency': (deps) => new LeastLatencyRouter(deps.random),
  'prefix-cache': (deps) => new PrefixCacheRouter(prefixDeps(deps)),
  'session-affinity': (deps) =>
    new SessionAffinityRouter({ ttlMs: deps.tuning.sessionTtlMs, random: deps.random, clock: deps.clock }),
  pd: (deps) => new PdRouter(prefixDeps(deps)),
};

/** Algorithms that can be parts of a weighted combination. */
const SCORERS = ['least-request', 'throughput', 'least-kv-cache', 'least-latency', 'prefix-cache'];

export function knownAlgorithms(): string[] {
  return Object.keys(FACTORIES);
}

/** Why `name` is not a usable algorithm name or combination, or undefined when it is. */
export function algorithmProblem(name: string): string | undefined {
  const parsed = parseName(name);
  return 'problem' in parsed ? parsed.problem : undefined;
}

export function isKnownAlgorithm(name: string): boolean {
  return algorithmProblem(name) === undefined;
}

type ParsedName =
  | { readonly single: string }
  | { readonly parts: readonly { name: string; weight: number }[] }
  | { readonly problem: string };

function parseName(raw: string): ParsedName {
  const name = raw.trim();
  if (!name.includes(',') && !name.includes(':')) {
    return Object.hasOwn(FACTORIES, name)
      ? { single: name }
      : { problem: `unknown routing algorithm "${name}" (known: ${knownAlgorithms().join(', ')})` };
  }
  const parts: { name: string; weight: number }[] = [];
  for (const item of name.split(',')) {
    const [part = '', weightText, extra] = item.split(':').map((s) => s.trim());
    if (extra !== undefined)
      return { problem: `bad part "${item.trim()}" in "${name}": expected NAME or NAME:WEIGHT` };
    if (!Object.hasOwn(FACTORIES, part)) {
      return {
        problem: `unknown routing algorithm "${part}" in "${name}" (known: ${knownAlgorithms().join(', ')})`,
      };
    }
    if (!SCORERS.includes(part)) {
      return {
        problem: `"${part}" cannot be part of a weighted combination (these can: ${SCORERS.join(', ')})`,
      };
    }
    const weight = weightText === undefined ? 1 : Number(weightText);
    if (weightText === '' || !Number.isFinite(weight) || weight < 0) {
      return { problem: `bad weight "${weightText}" for "${part}" in "${name}": expected a number >= 0` };
    }
    if (parts.some((p) => p.name === part)) return { problem: `"${part}" appears twice in "${name}"` };
    if (weight > 0) parts.push({ name: part, weight });
  }
  if (parts.length === 0) return { problem: `"${name}" gives no algorithm a weight above 0` };
  return { parts };
}

/** Combinations kept built; past this, unusual combinations are built per request (cheap). */
const MAX_CACHED_COMBINATIONS = 32;

/** Builds routers lazily and keeps one instance per name. */
export class RouterTable {
  private readonly routers = new Map<string, Router>();
  constructor(private readonly deps: RouterDeps) {}

  /** The router for `name`; throws the 400 for unknown names and bad combinations. */
  get(name: string): Router {
    const cached = this.routers.get(name);
    if (cached) return cached;
    const parsed = parseName(name);
    if ('problem' in parsed) {
      const plain = !name.includes(',') && !name.includes(':');
      throw plain
        ? Errors.unknownRoutingStrategy(name, knownAlgorithms())
        : Errors.invalidRoutingStrategy(name, parsed.problem);
    }
    if ('single' in parsed) return this.single(parsed.single);
    const parts: WeightedPart[] = parsed.parts.map((p) => {
      const router = this.single(p.name);
      if (!isScorer(router)) throw new Error(`${p.name} is listed as a scorer but is not one`);
      return { router, weight: p.weight };
    });
    const router = new WeightedRouter(formatParts(parts), parts, this.deps.random);
    if (this.routers.size < Object.keys(FACTORIES).length + MAX_CACHED_COMBINATIONS)
      this.routers.set(name, router);
    return router;
  }

  private single(name: string): Router {
    let router = this.routers.get(name);
    if (!router) {
      router = FACTORIES[name]!(this.deps);
      this.routers.set(name, router);
    }
    return router;
  }
}
