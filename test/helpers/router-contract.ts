/**
 * The behaviour every routing algorithm promises, run by each algorithm's own test file:
 * `routerContract('least-request', (deps) => new LeastRequestRouter(deps.random))`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EndpointSpec } from '../../src/config/model.js';
import type { RouterDeps } from '../../src/routing/algorithms.js';
import { EndpointRegistry, type EndpointState } from '../../src/routing/endpoint-state.js';
import type { Router, RoutingRequest } from '../../src/routing/router.js';

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

export function routerContract(name: string, create: (deps: RouterDeps) => Router): void {
  describe(`${name}: router contract`, () => {
    const make = () => {
      const registry = new EndpointRegistry();
      return { registry, router: create({ registry, random: seeded() }) };
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

    it('reports any fallback with the rule used and a reason', () => {
      const { registry, router } = make();
      const choice = router.pick(chatRequest('x'), fleet(['a:1', 'b:1'], registry));
      if (choice.fallback) {
        assert.ok(choice.fallback.to.length > 0);
        assert.ok(choice.fallback.reason.length > 0);
      }
    });
  });
}
