import type { EndpointView } from '../endpoint-state.js';
import type { PrefixIndex } from '../prefix-index.js';
import type { PromptBlocks } from '../prompt-blocks.js';
import {
  leastLoaded,
  lowest,
  pickRandom,
  type Router,
  type RoutingChoice,
  type RoutingFeedback,
  type RoutingRequest,
  type Scorer,
  type ScoreSheet,
} from '../router.js';

export interface PrefixCacheDeps {
  readonly index: PrefixIndex;
  readonly prompts: PromptBlocks;
  /** An endpoint with more requests in flight than the least loaded one plus this is overloaded. */
  readonly imbalanceThreshold: number;
  /** A best match covering less of the prompt than this is not worth unbalancing load for. */
  readonly minMatchRatio: number;
  readonly random: () => number;
}

/**
 * Sends a prompt where its longest prefix is probably cached already, so the engine skips
 * recomputing it (a shorter time to first token, more capacity).
 *
 * The prompt is tokenized (see `tokenizer.ts`) and cut into blocks of `--prefix-block-size`
 * tokens with chained hashes; the shared `PrefixIndex` says how many leading blocks each
 * endpoint holds. Rule:
 * - the endpoint with the longest match wins (ties: fewest in flight, then random);
 * - no match anywhere (a new prefix, or a prompt shorter than one block), or a best match
 *   covering less than `--prefix-min-match-ratio` of the prompt (say, only a short system
 *   prompt every request shares): the least loaded endpoint (ties: the longer match), which
 *   spreads new prefixes instead of piling everything that shares a few blocks on one engine;
 * - load guard: when the winner has more than `--load-imbalance-threshold` requests in
 *   flight above the least loaded candidate, the decision falls back to `least-request`
 *   (`load_guard`), so a hot prefix spreads to a second replica instead of queueing.
 * After each decision the chosen endpoint is recorded as holding the whole prompt.
 *
 * Score: matched blocks; `matchRatio`: matched blocks / prompt blocks of the chosen endpoint.
 */
export class PrefixCacheRouter implements Router, RoutingFeedback, Scorer {
  readonly name = 'prefix-cache';
  readonly better = 'higher';

  constructor(private readonly deps: PrefixCacheDeps) {}

  pick(request: RoutingRequest, candidates: readonly EndpointView[]): RoutingChoice {
    return prefixPick(this.deps, this.deps.prompts.of(request), candidates);
  }

  onRouted(request: RoutingRequest, choice: RoutingChoice): void {
    const hashes = this.deps.prompts.of(request);
    if (hashes.length > 0) this.deps.index.record(choice.endpoint.id, hashes);
  }

  scores(request: RoutingRequest, candidates: readonly EndpointView[]): ScoreSheet {
    const hashes = this.deps.prompts.of(request);
    const values = candidates.map((c) =>
      hashes.length ? this.deps.index.matchedBlocks(c.id, hashes) / hashes.length : 0,
    );
    return { values, bounds: [0, 1], isMatchRatio: true };
  }
}

/** prefix-cache's rule over `candidates` for a prompt with these block hashes (pd reuses it). */
export function prefixPick(
  deps: PrefixCacheDeps,
  hashes: readonly number[],
  candidates: readonly EndpointView[],
): RoutingChoice {
  const total = hashes.length;
  const matched = new Map(candidates.map((c) => [c, total ? deps.index.matchedBlocks(c.id, hashes) : 0]));
  const ratio = (c: EndpointView) => (total ? matched.get(c)! / total : 0);
  const best = Math.max(...matched.values());
  if (best === 0 || best / total < deps.minMatchRatio) {
    const idlest = lowest(candidates, (c) => c.inFlight);
    const endpoint = pickRandom(
      lowest(idlest, (c) => -matched.get(c)!),
      deps.random,
    );
    return { endpoint, score: matched.get(endpoint)!, matchRatio: ratio(endpoint) };
  }
  const holders = candidates.filter((c) => matched.get(c) === best);
  const winner = leastLoaded(holders, deps.random);
  const least = Math.min(...candidates.map((c) => c.inFlight));
  if (winner.inFlight - least > deps.imbalanceThreshold) {
    const endpoint = leastLoaded(candidates, deps.random);
    return {
      endpoint,
      score: matched.get(endpoint)!,
      matchRatio: ratio(endpoint),
      fallback: {
        to: 'least-request',
        reason: 'load_guard',
        detail: `best match ${winner.id} has ${winner.inFlight} requests in flight, ${endpoint.id} has ${endpoint.inFlight} (threshold ${deps.imbalanceThreshold})`,
      },
    };
  }
  return { endpoint: winner, score: best, matchRatio: ratio(winner) };
}
