import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chatRequest, fleet, routerContract, testDeps } from '../../../test/helpers/router-contract.js';
import { prefixDeps } from '../algorithms.js';
import type { RoutingRequest } from '../router.js';
import { PrefixCacheRouter } from './prefix-cache.js';

routerContract('prefix-cache', (deps) => new PrefixCacheRouter(prefixDeps(deps)));

const SYSTEM = 'You are the support assistant of a bicycle shop. Answer briefly and politely. '.repeat(8);

function conversation(system: string, question: string): RoutingRequest {
  return {
    ...chatRequest(''),
    body: {
      model: 'm',
      messages: [
        { role: 'system', content: system },
        { role: 'user', content: question },
      ],
    },
  };
}

function setup(tuning = {}) {
  const deps = testDeps(tuning);
  const router = new PrefixCacheRouter(prefixDeps(deps));
  const candidates = fleet(['a:1', 'b:1', 'c:1'], deps.registry);
  /** pick + onRouted, as the pipeline does. */
  const route = (request: RoutingRequest) => {
    const choice = router.pick(request, candidates);
    router.onRouted(request, choice);
    return choice;
  };
  return { deps, router, candidates, route };
}

describe('prefix-cache', () => {
  it('sends prompts sharing a long prefix to the endpoint that served it, reporting the match ratio', () => {
    const { route } = setup();
    const first = route(conversation(SYSTEM, 'Do you repair e-bikes?'));
    assert.equal(first.matchRatio, 0);
    for (const question of ['What are your opening hours?', 'Can I rent a tandem?', 'Do you sell helmets?']) {
      const choice = route(conversation(SYSTEM, question));
      assert.equal(choice.endpoint.id, first.endpoint.id);
      assert.ok(choice.matchRatio! > 0.8, `match ratio ${choice.matchRatio}`);
      assert.equal(choice.fallback, undefined);
    }
  });

  it('spreads new prefixes to the least loaded endpoint', () => {
    const { route, candidates } = setup();
    candidates[0]!.inFlight = 2;
    candidates[1]!.inFlight = 1;
    const choice = route(conversation('Another shop entirely, with its own long rules. '.repeat(10), 'Hi'));
    assert.equal(choice.endpoint.id, 'c:1');
    assert.equal(choice.score, 0);
  });

  it('prefers the longest match over a shorter one', () => {
    const { deps, route } = setup();
    const shared = conversation(SYSTEM, '');
    const longer = conversation(SYSTEM, 'Tell me everything about your winter service offers. '.repeat(6));
    deps.prefixIndex.record('a:1', deps.prompts.of(shared));
    deps.prefixIndex.record('b:1', deps.prompts.of(longer));
    assert.equal(route(longer).endpoint.id, 'b:1');
  });

  it('routes by load when the best match covers too little of the prompt, the match breaking ties', () => {
    const { deps, candidates, route } = setup({ prefixMinMatchRatio: 0.5 });
    const system = 'Be brief and kind. '.repeat(6);
    const shortShare = conversation(
      system,
      'A long question of my own about wheels, brakes and gears. '.repeat(6),
    );
    deps.prefixIndex.record('a:1', deps.prompts.of(conversation(system, '')));
    const ratio =
      deps.prefixIndex.matchedBlocks('a:1', deps.prompts.of(shortShare)) / deps.prompts.of(shortShare).length;
    assert.ok(ratio > 0 && ratio < 0.5, `a holds ${ratio} of the prompt`);
    assert.equal(route(shortShare).endpoint.id, 'a:1', 'equal load: the match breaks the tie');
    candidates[0]!.inFlight = 1;
    const choice = route(
      conversation(system, 'Another question of mine, about saddles and lights. '.repeat(6)),
    );
    assert.notEqual(choice.endpoint.id, 'a:1', 'a small match does not outweigh load');
    assert.equal(choice.fallback, undefined);
  });

  it('breaks a tie between equal matches by requests in flight', () => {
    const { deps, candidates, route } = setup();
    const request = conversation(SYSTEM, 'q');
    deps.prefixIndex.record('a:1', deps.prompts.of(request));
    deps.prefixIndex.record('b:1', deps.prompts.of(request));
    candidates[0]!.inFlight = 3;
    candidates[1]!.inFlight = 1;
    candidates[2]!.inFlight = 0;
    assert.equal(route(request).endpoint.id, 'b:1');
  });

  it('load guard: an overloaded best match falls back to least-request, visibly', () => {
    const { deps, candidates, route } = setup({ loadImbalanceThreshold: 4 });
    const request = conversation(SYSTEM, 'q');
    deps.prefixIndex.record('a:1', deps.prompts.of(request));
    candidates[0]!.inFlight = 5;
    candidates[1]!.inFlight = 1;
    candidates[2]!.inFlight = 2;
    assert.equal(route(request).endpoint.id, 'a:1', 'a gap of exactly the threshold is not overloaded');
    candidates[0]!.inFlight = 6;
    const guarded = route(request);
    assert.equal(guarded.endpoint.id, 'b:1');
    assert.equal(guarded.matchRatio, 0);
    assert.deepEqual(
      { to: guarded.fallback?.to, reason: guarded.fallback?.reason },
      { to: 'least-request', reason: 'load_guard' },
    );
    assert.match(guarded.fallback!.detail!, /a:1 has 6 requests in flight, b:1 has 1 \(threshold 4\)/);
    // The prefix now lives on b too: the next request goes to the less loaded of the two holders.
    assert.equal(route(request).endpoint.id, 'b:1');
  });

  it('routes a prompt shorter than one block by load alone, without a fallback', () => {
    const { candidates, route } = setup({ prefixBlockSize: 64 });
    candidates[0]!.inFlight = 1;
    candidates[1]!.inFlight = 1;
    const choice = route(chatRequest('hi'));
    assert.equal(choice.endpoint.id, 'c:1');
    assert.equal(choice.matchRatio, 0);
    assert.equal(choice.fallback, undefined);
  });

  it('forgets what an endpoint held after the index TTL', () => {
    const { deps, candidates, route } = setup({ prefixIndexTtlMs: 60_000 });
    const request = conversation(SYSTEM, 'q');
    deps.prefixIndex.record('a:1', deps.prompts.of(request));
    candidates[0]!.inFlight = 1;
    deps.now.ms += 59_000;
    assert.equal(route(request).endpoint.id, 'a:1');
    deps.now.ms += 60_001;
    const later = route(request);
    assert.notEqual(later.endpoint.id, 'a:1');
    assert.equal(later.matchRatio, 0);
  });

  it('as a scorer, scores each candidate by its match ratio', () => {
    const { deps, router, candidates } = setup();
    const request = conversation(SYSTEM, 'q');
    const hashes = deps.prompts.of(request);
    deps.prefixIndex.record('b:1', hashes);
    deps.prefixIndex.record('c:1', hashes.slice(0, hashes.length / 2));
    const sheet = router.scores(request, candidates);
    assert.ok('values' in sheet);
    assert.deepEqual(sheet.values, [0, 1, Math.floor(hashes.length / 2) / hashes.length]);
    assert.equal(sheet.isMatchRatio, true);
  });
});
