import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chatRequest, fleet, routerContract, seeded } from '../../../test/helpers/router-contract.js';
import type { EndpointState } from '../endpoint-state.js';
import { expectedMs, LeastLatencyRouter, outputTokens } from './least-latency.js';

routerContract('least-latency', (deps) => new LeastLatencyRouter(deps.random));

function sampled(state: EndpointState, ttftMs: number, tpotMs: number) {
  state.ttft.add(ttftMs);
  state.tpot.add(tpotMs);
}

const withMaxTokens = (n: number) => ({
  ...chatRequest('x'),
  body: { model: 'm', messages: [{ role: 'user', content: 'x' }], max_tokens: n },
});

describe('least-latency', () => {
  it('weighs time to first token against time per output token by the requested length', () => {
    const [fastStart, fastDecode] = fleet(['a:1', 'b:1']);
    sampled(fastStart!, 100, 50); // 100 + 50n
    sampled(fastDecode!, 500, 10); // 500 + 10n
    const router = new LeastLatencyRouter(seeded());
    assert.equal(router.pick(withMaxTokens(5), [fastStart!, fastDecode!]).endpoint.id, 'a:1'); // 350 vs 550
    const long = router.pick(withMaxTokens(100), [fastStart!, fastDecode!]); // 5100 vs 1500
    assert.equal(long.endpoint.id, 'b:1');
    assert.equal(long.score, 1500);
  });

  it('adds the queue, as the gateway counts it: requests in flight', () => {
    const [a, b] = fleet(['a:1', 'b:1']);
    sampled(a!, 100, 10);
    sampled(b!, 120, 10);
    assert.equal(expectedMs(a!, 10), 100 + 100);
    a!.inFlight = 2;
    assert.equal(expectedMs(a!, 10), 100 * 3 + 100);
    assert.equal(new LeastLatencyRouter(seeded()).pick(withMaxTokens(10), [a!, b!]).endpoint.id, 'b:1');
  });

  it('falls back to least-request until every candidate has latency samples', () => {
    const [a, b] = fleet(['a:1', 'b:1']);
    sampled(a!, 10, 1);
    a!.inFlight = 1;
    const choice = new LeastLatencyRouter(seeded()).pick(chatRequest('x'), [a!, b!]);
    assert.equal(choice.endpoint.id, 'b:1');
    assert.deepEqual(
      { to: choice.fallback?.to, reason: choice.fallback?.reason },
      { to: 'least-request', reason: 'no_latency_samples' },
    );
  });

  it('breaks ties by requests in flight', () => {
    const [a, b] = fleet(['a:1', 'b:1']);
    sampled(a!, 100, 10);
    sampled(b!, 200, 10);
    a!.inFlight = 1; // 100 * 2 = 200 * 1: the same expected latency
    const choice = new LeastLatencyRouter(seeded()).pick(chatRequest('x'), [a!, b!]);
    assert.equal(choice.endpoint.id, 'b:1');
    assert.equal(choice.score, 200 + 10 * 128);
  });

  it('reads the requested output length, with a default and a cap', () => {
    assert.equal(outputTokens(chatRequest('x')), 128);
    assert.equal(outputTokens(withMaxTokens(7)), 7);
    assert.equal(outputTokens(withMaxTokens(1e9)), 4096);
    assert.equal(outputTokens({ ...chatRequest('x'), body: { max_completion_tokens: 9, max_tokens: 3 } }), 9);
  });
});
