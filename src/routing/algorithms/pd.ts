import type { EndpointView } from '../endpoint-state.js';
import {
  type Fallback,
  leastLoaded,
  lowest,
  pickRandom,
  type RoleAwareRouter,
  type Router,
  type RoutingChoice,
  type RoutingFeedback,
  type RoutingRequest,
} from '../router.js';
import { type PrefixCacheDeps, prefixPick } from './prefix-cache.js';

/**
 * Disaggregated prefill/decode for models served by `rolesets` (vLLM's NixlConnector
 * style). Picks two endpoints:
 * - prefill: prefix-aware, by prefix-cache's rule (longest match, load guard) among the
 *   healthy prefill endpoints;
 * - decode: load-aware, the fewest requests in flight among the healthy decode endpoints
 *   of the prefill's roleset, or of any roleset when that one has none (ties: lower fresh
 *   KV-cache usage, then random).
 * The pipeline then runs the prefill step (`proxy/prefill.ts`) and streams the decode.
 *
 * Fallbacks, each to `least-request` on a single engine that computes the whole request:
 * no prefill/decode endpoints at all (`no_roleset`: a plain model), no healthy prefill
 * endpoint (`no_prefill_endpoint`: decode engines prefill themselves), no healthy decode
 * endpoint (`no_decode_endpoint`). A load-guarded prefill choice is reported as
 * `load_guard`, as in prefix-cache.
 *
 * Score and `matchRatio`: the prefill choice's, as in prefix-cache.
 */
export class PdRouter implements Router, RoutingFeedback, RoleAwareRouter {
  readonly name = 'pd';
  readonly wantsPrefillEndpoints = true;

  constructor(private readonly deps: PrefixCacheDeps) {}

  pick(request: RoutingRequest, candidates: readonly EndpointView[]): RoutingChoice {
    const prefills = candidates.filter((c) => c.spec.role === 'prefill');
    const decodes = candidates.filter((c) => c.spec.role === 'decode');
    if (prefills.length === 0 || decodes.length === 0)
      return this.singleEngine(candidates, prefills, decodes);

    const prefillChoice = prefixPick(this.deps, this.deps.prompts.of(request), prefills);
    const prefill = prefillChoice.endpoint;
    const sameSet = decodes.filter((d) => d.spec.roleset === prefill.spec.roleset);
    const decode = leastLoadedDecode(sameSet.length ? sameSet : decodes, this.deps.random);
    return { ...prefillChoice, endpoint: decode, prefill };
  }

  onRouted(request: RoutingRequest, choice: RoutingChoice): void {
    const hashes = this.deps.prompts.of(request);
    // The prefill engine computed the prompt; the decode engine only received its KV.
    const holder = choice.prefill ?? choice.endpoint;
    if (hashes.length > 0) this.deps.index.record(holder.id, hashes);
  }

  private singleEngine(
    candidates: readonly EndpointView[],
    prefills: readonly EndpointView[],
    decodes: readonly EndpointView[],
  ): RoutingChoice {
    let pool: readonly EndpointView[];
    let fallback: Fallback;
    if (prefills.length === 0 && decodes.length === 0) {
      pool = candidates;
      fallback = {
        to: 'least-request',
        reason: 'no_roleset',
        detail: 'the model has no prefill/decode rolesets',
      };
    } else if (prefills.length === 0) {
      pool = decodes;
      fallback = {
        to: 'least-request',
        reason: 'no_prefill_endpoint',
        detail: 'no healthy prefill endpoint; a decode endpoint computes the whole request',
      };
    } else {
      pool = prefills;
      fallback = {
        to: 'least-request',
        reason: 'no_decode_endpoint',
        detail: 'no healthy decode endpoint; a prefill endpoint computes the whole request',
      };
    }
    return { endpoint: leastLoaded(pool, this.deps.random), fallback };
  }
}

function leastLoadedDecode(decodes: readonly EndpointView[], random: () => number): EndpointView {
  const idlest = lowest(decodes, (c) => c.inFlight);
  const usage = (c: EndpointView) =>
    !c.engineStale && c.engine?.kvCacheUsage !== undefined ? c.engine.kvCacheUsage : 1;
  return pickRandom(lowest(idlest, usage), random);
}
