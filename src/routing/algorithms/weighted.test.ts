import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chatRequest, fleet, routerContract, testDeps } from '../../../test/helpers/router-contract.js';
import { RouterTable } from '../algorithms.js';
import type { EndpointState } from '../endpoint-state.js';
import { hasFeedback } from '../router.js';
import { normalise } from './weighted.js';

routerContract('prefix-cache:2,least-request:1', (deps) =>
  new RouterTable(deps).get('prefix-cache:2,least-request:1'),
);

const LONG = 'A long shared context about the quarterly figures of a small bakery chain. '.repeat(8);

function setup(name: string) {
  const deps = testDeps();
  const table = new RouterTable(deps);
  const candidates = fleet(['a:1', 'b:1', 'c:1'], deps.registry);
  return { deps, table, router: table.get(name), candidates };
}

describe('weighted combinations', () => {
  it('normalises each part to 0..1 (1 is best) and handles equal and missing values', () => {
    assert.deepEqual(normalise([2, 4, 6], 'lower'), [1, 0.5, 0]);
    assert.deepEqual(normalise([0, 0.5, 1], 'higher'), [0, 0.5, 1]);
    assert.deepEqual(normalise([3, 3], 'lower'), [1, 1]);
    assert.deepEqual(normalise([undefined, 1, 2], 'higher'), [0, 0, 1]);
  });

  it('keeps the meaning of a bounded scale: a small match stays small', () => {
    assert.deepEqual(normalise([0.05, 0, 0], 'higher', [0, 1]), [0.05, 0, 0]);
    assert.deepEqual(normalise([0.25, 0.75], 'lower', [0, 1]), [0.75, 0.25]);
  });

  it('does not pile every request sharing a few blocks onto one endpoint', () => {
    const { deps, router, candidates } = setup('prefix-cache:2,least-request:1');
    const system = 'Be brief. '.repeat(12);
    const withQuestion = (q: string) => ({
      ...chatRequest(''),
      body: {
        model: 'm',
        messages: [
          { role: 'system', content: system },
          { role: 'user', content: q.repeat(20) },
        ],
      },
    });
    deps.prefixIndex.record('a:1', deps.prompts.of(withQuestion('first ')));
    candidates[0]!.inFlight = 3;
    const choice = router.pick(withQuestion('another question '), candidates);
    assert.ok(choice.matchRatio === undefined || choice.matchRatio < 0.2);
    assert.notEqual(choice.endpoint.id, 'a:1', 'a shared system prompt alone does not outweigh load');
  });

  it('lets the heavier part win: prefix match against load', () => {
    const request = chatRequest(LONG);
    for (const [name, expected] of [
      ['prefix-cache:3,least-request:1', 'a:1'],
      ['prefix-cache:1,least-request:3', 'b:1'],
    ] as const) {
      const { deps, router, candidates } = setup(name);
      deps.prefixIndex.record('a:1', deps.prompts.of(request));
      candidates[0]!.inFlight = 4;
      candidates[1]!.inFlight = 0;
      candidates[2]!.inFlight = 2;
      // a: prefix 1, load 0 ; b: prefix 0, load 1 ; c: prefix 0, load 0.5
      const choice = router.pick(request, candidates);
      assert.equal(choice.endpoint.id, expected, name);
      assert.equal(choice.matchRatio, expected === 'a:1' ? 1 : 0);
    }
  });

  it('is named canonically and reports a score between 0 and 1', () => {
    const { router, candidates } = setup(' prefix-cache:2 , least-request ');
    assert.equal(router.name, 'prefix-cache:2,least-request:1');
    const score = router.pick(chatRequest('x'), candidates).score!;
    assert.ok(score >= 0 && score <= 1);
  });

  it('leaves out a part without data, visibly, and falls back to least-request when none has any', () => {
    const { router, candidates } = setup('least-kv-cache:1,least-request:1');
    candidates[0]!.inFlight = 1;
    candidates[1]!.inFlight = 1;
    const choice = router.pick(chatRequest('x'), candidates);
    assert.equal(choice.endpoint.id, 'c:1');
    assert.deepEqual(
      { to: choice.fallback?.to, reason: choice.fallback?.reason },
      { to: 'least-request:1', reason: 'no_engine_metrics' },
    );
    const none = setup('least-kv-cache:1,least-latency:2');
    const alone = none.router.pick(chatRequest('x'), none.candidates);
    assert.equal(alone.fallback?.to, 'least-request');
    assert.match(alone.fallback!.detail!, /least-kv-cache left out.*least-latency left out/);
  });

  it('a candidate without data in one part gets that part’s worst score', () => {
    const { router, candidates } = setup('least-kv-cache:1');
    const fresh = (s: EndpointState, kvCacheUsage: number) => {
      s.engine = { scrapedAt: Date.now(), kvCacheUsage };
    };
    fresh(candidates[0]!, 0.9);
    fresh(candidates[1]!, 0.5);
    assert.equal(router.pick(chatRequest('x'), candidates).endpoint.id, 'b:1');
  });

  it('shares learned state with the plain algorithm: one prefix index', () => {
    const { table, candidates } = setup('prefix-cache');
    const request = chatRequest(LONG);
    const plain = table.get('prefix-cache');
    const plainChoice = plain.pick(request, candidates);
    assert.ok(hasFeedback(plain));
    plain.onRouted(request, plainChoice);
    const combined = table.get('prefix-cache:1,least-request:1').pick(request, candidates);
    assert.equal(combined.endpoint.id, plainChoice.endpoint.id);
    assert.equal(combined.matchRatio, 1);
  });
});
