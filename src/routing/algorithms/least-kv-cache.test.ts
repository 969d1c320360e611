import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chatRequest, fleet, routerContract, seeded } from '../../../test/helpers/router-contract.js';
import { EndpointRegistry, type EndpointState } from '../endpoint-state.js';
import { LeastKvCacheRouter } from './least-kv-cache.js';

routerContract('least-kv-cache', (deps) => new LeastKvCacheRouter(deps.random));

function scraped(state: EndpointState, kvCacheUsage: number | undefined, scrapedAt = Date.now()) {
  state.engine = { scrapedAt, ...(kvCacheUsage !== undefined ? { kvCacheUsage } : {}) };
}

describe('least-kv-cache', () => {
  it('picks the engine with the lowest fresh KV-cache usage and reports it as the score', () => {
    const [a, b, c] = fleet(['a:1', 'b:1', 'c:1']);
    scraped(a!, 0.7);
    scraped(b!, 0.2);
    scraped(c!, 0.5);
    const choice = new LeastKvCacheRouter(seeded()).pick(chatRequest('x'), [a!, b!, c!]);
    assert.equal(choice.endpoint.id, 'b:1');
    assert.equal(choice.score, 0.2);
    assert.equal(choice.fallback, undefined);
  });

  it('treats usages within one point as a tie and prefers fewer requests in flight', () => {
    const [a, b] = fleet(['a:1', 'b:1']);
    scraped(a!, 0.301);
    scraped(b!, 0.302);
    a!.inFlight = 3;
    assert.equal(new LeastKvCacheRouter(seeded()).pick(chatRequest('x'), [a!, b!]).endpoint.id, 'b:1');
  });

  it('falls back to least-request when an engine was never scraped', () => {
    const [a, b] = fleet(['a:1', 'b:1']);
    scraped(a!, 0.1);
    a!.inFlight = 4;
    const choice = new LeastKvCacheRouter(seeded()).pick(chatRequest('x'), [a!, b!]);
    assert.deepEqual(
      { to: choice.fallback?.to, reason: choice.fallback?.reason },
      { to: 'least-request', reason: 'no_engine_metrics' },
    );
    assert.equal(choice.endpoint.id, 'b:1', 'least-request picks the idle one');
    assert.match(choice.fallback!.detail!, /b:1/);
  });

  it('falls back when metrics are stale, and uses them again once fresh', () => {
    const now = { ms: 100_000 };
    const registry = new EndpointRegistry({ clock: () => now.ms, staleAfterMs: 3_000 });
    const [a, b] = fleet(['a:1', 'b:1'], registry);
    scraped(a!, 0.9, now.ms);
    scraped(b!, 0.1, now.ms - 3_001);
    const router = new LeastKvCacheRouter(seeded());
    assert.equal(router.pick(chatRequest('x'), [a!, b!]).fallback?.reason, 'stale_engine_metrics');
    scraped(b!, 0.1, now.ms);
    const fresh = router.pick(chatRequest('x'), [a!, b!]);
    assert.equal(fresh.fallback, undefined);
    assert.equal(fresh.endpoint.id, 'b:1');
  });

  it('falls back when the engine exports no KV-cache usage', () => {
    const [a, b] = fleet(['a:1', 'b:1']);
    scraped(a!, 0.1);
    scraped(b!, undefined);
    assert.equal(
      new LeastKvCacheRouter(seeded()).pick(chatRequest('x'), [a!, b!]).fallback?.reason,
      'no_kv_cache_metric',
    );
  });

  it('as a scorer, leaves out engines without data and reports missing data when none has any', () => {
    const [a, b] = fleet(['a:1', 'b:1']);
    const router = new LeastKvCacheRouter(seeded());
    assert.deepEqual(router.scores(chatRequest('x'), [a!, b!]), {
      missing: 'no_engine_metrics',
      detail: 'no engine metrics scraped from a:1 yet',
    });
    scraped(b!, 0.4);
    assert.deepEqual(router.scores(chatRequest('x'), [a!, b!]), { values: [undefined, 0.4], bounds: [0, 1] });
  });
});
