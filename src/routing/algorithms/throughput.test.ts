import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chatRequest, fleet, routerContract, seeded } from '../../../test/helpers/router-contract.js';
import { EndpointRegistry } from '../endpoint-state.js';
import { ThroughputRouter } from './throughput.js';

routerContract('throughput', (deps) => new ThroughputRouter(deps.random));

describe('throughput', () => {
  it('picks the endpoint that delivered the fewest output tokens per second recently', () => {
    const [a, b, c] = fleet(['a:1', 'b:1', 'c:1']);
    a!.addOutputTokens(500);
    b!.addOutputTokens(100);
    c!.addOutputTokens(300);
    const choice = new ThroughputRouter(seeded()).pick(chatRequest('x'), [a!, b!, c!]);
    assert.equal(choice.endpoint.id, 'b:1');
    assert.equal(choice.score, 10); // 100 tokens over the 10 s window
  });

  it('counts prompt tokens sent, twice, so an engine busy prefilling looks busy at once', () => {
    const [a, b] = fleet(['a:1', 'b:1']);
    a!.addOutputTokens(300); // 30 tokens/s of output
    b!.addPromptTokens(200); // a long prompt just sent: 2 x 20 = 40
    const choice = new ThroughputRouter(seeded()).pick(chatRequest('x'), [a!, b!]);
    assert.equal(choice.endpoint.id, 'a:1');
    assert.equal(choice.score, 30);
  });

  it('breaks ties (no traffic yet) by requests in flight, then at random', () => {
    const candidates = fleet(['a:1', 'b:1', 'c:1']);
    candidates[0]!.inFlight = 2;
    const router = new ThroughputRouter(seeded(5));
    const seen = new Set<string>();
    for (let i = 0; i < 100; i++) seen.add(router.pick(chatRequest('x'), candidates).endpoint.id);
    assert.deepEqual([...seen].sort(), ['b:1', 'c:1']);
  });

  it('forgets tokens older than the window', () => {
    const now = { ms: 0 };
    const registry = new EndpointRegistry({ clock: () => now.ms });
    const [a, b] = fleet(['a:1', 'b:1'], registry);
    a!.addOutputTokens(1000);
    now.ms = 5_000;
    b!.addOutputTokens(50);
    assert.equal(new ThroughputRouter(seeded()).pick(chatRequest('x'), [a!, b!]).endpoint.id, 'b:1');
    now.ms = 10_500; // a's burst is now outside the 10 s window, b's is not
    assert.equal(new ThroughputRouter(seeded()).pick(chatRequest('x'), [a!, b!]).endpoint.id, 'a:1');
  });

  it('never falls back: zero tokens is data', () => {
    const choice = new ThroughputRouter(seeded()).pick(chatRequest('x'), fleet(['a:1', 'b:1']));
    assert.equal(choice.fallback, undefined);
  });
});
