/**
 * The behaviour every routing algorithm promises, run by each algorithm's own test file:
 * `routerContract('least-request', (deps) => new LeastRequestRouter(deps.random))`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EndpointSpec, RoutingTuning } from '../../src/config/model.js';
import { isKnownAlgorithm, type RouterDeps, routerDeps } from '../../src/routing/algorithms.js';
import { EndpointRegistry, type EndpointState } from '../../src/routing/endpoint-state.js';
import { hasFeedback, isScorer, type Router, type RoutingRequest } from '../../src/routing/router.js';

export function spec(id: string, extra: Partial<EndpointSpec> = {}): EndpointSpec {
  const [host, port] = id.split(':');
  return { id, host: host!, port: Number(port), tls: false, role: 'both', ...extra };
}

export function chatRequest(
  content: string,
  headers: Record<string, string> = {},
  model = 'm',
): RoutingRequest {
  return {
    requestId: 'r',
    model,
    operation: 'chat',
    body: { model, messages: [{ role: 'user', content }] },
    headers,
  };
}

/** A seeded generator so contract runs are reproducible. */
export function seeded(seed = 42): () => number {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

export function fleet(ids: readonly string[], registry = new EndpointRegistry()): EndpointState[] {
  return ids.map((id) => registry.state(spec(id)));
}

/** Router dependencies for unit tests: a fresh registry, a seeded generator, a settable clock. */
export function testDeps(
  tuning: Partial<RoutingTuning> = {},
  registry = new EndpointRegistry(),
): RouterDeps & { now: { ms: number } } {
  const now = { ms: 1_000_000 };
  return { ...routerDeps({ registry, random: seeded(), clock: () => now.ms, tuning }), now };
}

export function routerContract(name: string, create: (deps: RouterDeps) => Router): void {
  describe(`${name}: router contract`, () => {
    const make = () => {
      const deps = testDeps();
      return { registry: deps.registry, router: create(deps) };
    };

    it('is named as users write it', () => {
      assert.equal(make().router.name, name);
    });

    it('always picks one of the candidates', () => {
      const { registry, router } = make();
      const candidates = fleet(['a:1', 'b:1', 'c:1'], registry);
      for (let i = 0; i < 50; i++) {
        const choice = router.pick(chatRequest(`prompt ${i % 7}`), candidates);
        assert.ok(candidates.includes(choice.endpoint as EndpointState), 'choice is a candidate');
      }
    });

    it('works with a single candidate', () => {
      const { registry, router } = make();
      const [only] = fleet(['a:1'], registry);
      assert.equal(router.pick(chatRequest('x'), [only!]).endpoint, only);
    });

    it('does not change endpoint state', () => {
      const { registry, router } = make();
      const candidates = fleet(['a:1', 'b:1'], registry);
      candidates[0]!.inFlight = 3;
      router.pick(chatRequest('x'), candidates);
      assert.deepEqual(
        candidates.map((c) => c.inFlight),
        [3, 0],
      );
    });

    it('reports any fallback with a known rule and a reason code', () => {
      const { registry, router } = make();
      const candidates = fleet(['a:1', 'b:1'], registry);
      for (const prompt of ['x', 'a much longer prompt '.repeat(20)]) {
        const choice = router.pick(chatRequest(prompt), candidates);
        if (!choice.fallback) continue;
        assert.ok(isKnownAlgorithm(choice.fallback.to), `fallback to ${choice.fallback.to}`);
        assert.match(choice.fallback.reason, /^[a-z_]+$/);
      }
    });

    it('learns from its own choices without failing (routers with feedback)', () => {
      const { registry, router } = make();
      const candidates = fleet(['a:1', 'b:1'], registry);
      const request = chatRequest('a prompt long enough to fill a few blocks of tokens '.repeat(4));
      const choice = router.pick(request, candidates);
      if (hasFeedback(router)) router.onRouted(request, choice);
      assert.ok(candidates.includes(router.pick(request, candidates).endpoint as EndpointState));
    });

    // Only scorers promise scores; the others are not combinable and are not asked.
    if (isScorer(make().router)) {
      it('scores every candidate, one value each or a missing-data reason', () => {
        const { registry, router } = make();
        if (!isScorer(router)) throw new Error('not a scorer');
        const candidates = fleet(['a:1', 'b:1', 'c:1'], registry);
        const sheet = router.scores(chatRequest('x'), candidates);
        if ('values' in sheet) assert.equal(sheet.values.length, candidates.length);
        else assert.match(sheet.missing, /^[a-z_]+$/);
      });
    }
  });
}
