/**
 * The routing contract: given one request and the eligible endpoints, pick one.
 *
 * Routers are shared by all requests (one instance per algorithm per gateway) and must be
 * synchronous and cheap: they run on the request path. They read live endpoint state but
 * never change it; the pipeline does the bookkeeping (in-flight counts, outcomes).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Operation } from '../api/inference-request.js';
import type { EndpointView } from './endpoint-state.js';

/** What a router may know about the request. */
export interface RoutingRequest {
  readonly requestId: string;
  readonly model: string;
  readonly operation: Operation;
  /** The parsed request body (messages, prompt, input...). */
  readonly body: Readonly<Record<string, unknown>>;
  /** Lower-cased request headers (x-session-id, ...). */
  readonly headers: IncomingHttpHeaders;
}

export interface RoutingChoice {
  readonly endpoint: EndpointView;
  /** For prefill/decode routing: the endpoint that runs the prefill step. */
  readonly prefill?: EndpointView;
  /** The winning score, in the algorithm's own unit (documented per algorithm). */
  readonly score?: number;
  /** Prefix-aware algorithms: matched prompt blocks / prompt blocks for the chosen endpoint. */
  readonly matchRatio?: number;
  /** Set when the algorithm could not apply its own rule and used another one. */
  readonly fallback?: Fallback;
  /** Headers the router wants on the client's response (session-affinity's session id). */
  readonly responseHeaders?: Readonly<Record<string, string>>;
}

/**
 * A visible fallback: it becomes the `routing-strategy: a->b` response header, a log line
 * and `switchyard_routing_fallbacks_total{algorithm,to,reason}`.
 */
export interface Fallback {
  /** The rule actually used, as users write algorithm names (`least-request`). */
  readonly to: string;
  /** A short, fixed code (`stale_engine_metrics`): it is a metric label. */
  readonly reason: string;
  /** A sentence for the log line (which endpoint, which numbers). */
  readonly detail?: string;
}

export interface Router {
  /** The algorithm name as users write it (`least-request`). */
  readonly name: string;
  /**
   * Picks one endpoint. Precondition: `candidates` is non-empty and every candidate is
   * healthy and serves the request's model.
   */
  pick(request: RoutingRequest, candidates: readonly EndpointView[]): RoutingChoice;
}

/** Optional: routers that learn from their own choices (prefix index, session table). */
export interface RoutingFeedback {
  onRouted(request: RoutingRequest, choice: RoutingChoice): void;
}

/**
 * Optional: routers whose rule ranks every candidate by one number, so that weighted
 * combinations (`prefix-cache:2,least-request:1`) can mix them. `scores` is as pure and
 * cheap as `pick` and has the same precondition.
 */
export interface Scorer {
  /** Whether a larger raw score is better (match ratio) or worse (in-flight count). */
  readonly better: 'higher' | 'lower';
  scores(request: RoutingRequest, candidates: readonly EndpointView[]): ScoreSheet;
}

/**
 * One raw score per candidate, in candidate order; `undefined` where that candidate has no
 * usable data. `missing` (a fallback reason code) when no candidate has any.
 */
export type ScoreSheet =
  | {
      readonly values: readonly (number | undefined)[];
      /**
       * The scale the values live on, when it has a meaning of its own (a ratio, a usage):
       * combinations then normalise against it rather than against the candidates' spread,
       * so that 0.05 against 0 stays a small difference instead of becoming 1 against 0.
       */
      readonly bounds?: readonly [min: number, max: number];
      /** The values are prefix match ratios (reported as the decision's `matchRatio`). */
      readonly isMatchRatio?: true;
    }
  | { readonly missing: string; readonly detail?: string };

/** Optional: routers that need prefill-only endpoints among the candidates (pd). */
export interface RoleAwareRouter {
  readonly wantsPrefillEndpoints: true;
}

export function hasFeedback(router: Router): router is Router & RoutingFeedback {
  return typeof (router as Partial<RoutingFeedback>).onRouted === 'function';
}

export function isScorer(router: Router): router is Router & Scorer {
  return typeof (router as Partial<Scorer>).scores === 'function';
}

export function isRoleAware(router: Router): router is Router & RoleAwareRouter {
  return (router as Partial<RoleAwareRouter>).wantsPrefillEndpoints === true;
}

/** Picks uniformly among `items` (non-empty). */
export function pickRandom<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length) % items.length]!;
}

/** The items with the lowest `score` (non-empty input gives non-empty output). */
export function lowest<T>(items: readonly T[], score: (item: T) => number): T[] {
  let best = Infinity;
  let out: T[] = [];
  for (const item of items) {
    const s = score(item);
    if (s < best) {
      best = s;
      out = [item];
    } else if (s === best) out.push(item);
  }
  return out.length ? out : [...items];
}

/** Fewest requests in flight, ties at random: least-request's rule and everyone's fallback. */
export function leastLoaded(candidates: readonly EndpointView[], random: () => number): EndpointView {
  return pickRandom(
    lowest(candidates, (c) => c.inFlight),
    random,
  );
}
