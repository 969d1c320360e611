import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chatRequest, fleet, routerContract, seeded } from '../../../test/helpers/router-contract.js';
import type { EndpointState } from '../endpoint-state.js';
import type { RoutingRequest } from '../router.js';
import { SessionAffinityRouter } from './session-affinity.js';

routerContract(
  'session-affinity',
  (deps) =>
    new SessionAffinityRouter({ ttlMs: deps.tuning.sessionTtlMs, random: deps.random, clock: deps.clock }),
);

function setup(ttlMs = 60_000, maxSessions?: number) {
  const now = { ms: 0 };
  const router = new SessionAffinityRouter({
    ttlMs,
    random: seeded(),
    clock: () => now.ms,
    ...(maxSessions ? { maxSessions } : {}),
  });
  const candidates = fleet(['a:1', 'b:1', 'c:1']);
  const route = (request: RoutingRequest, among: readonly EndpointState[] = candidates) => {
    const choice = router.pick(request, among);
    router.onRouted(request, choice);
    return choice;
  };
  return { now, router, candidates, route };
}

describe('session-affinity', () => {
  it('keeps a session on its first endpoint, whatever the load, and echoes the header', () => {
    const { candidates, route } = setup();
    const request = chatRequest('x', { 'x-session-id': 'conv-1' });
    const first = route(request);
    for (let i = 0; i < 5; i++) {
      (first.endpoint as EndpointState).inFlight += 10;
      const next = route(request);
      assert.equal(next.endpoint.id, first.endpoint.id);
      assert.deepEqual(next.responseHeaders, { 'x-session-id': 'conv-1' });
    }
    assert.ok(candidates.includes(first.endpoint as EndpointState));
  });

  it('places new sessions on the least loaded endpoint', () => {
    const { candidates, route } = setup();
    candidates[0]!.inFlight = 2;
    candidates[2]!.inFlight = 1;
    assert.equal(route(chatRequest('x', { 'x-session-id': 'new' })).endpoint.id, 'b:1');
  });

  it('reads x-session-key too and answers with the header the client used', () => {
    const { route } = setup();
    const first = route(chatRequest('x', { 'x-session-key': 'k' }));
    const again = route(chatRequest('x', { 'x-session-key': 'k' }));
    assert.equal(again.endpoint.id, first.endpoint.id);
    assert.deepEqual(again.responseHeaders, { 'x-session-key': 'k' });
  });

  it('starts a session for a client without one and sticks once it sends the id back', () => {
    const { route } = setup();
    const first = route(chatRequest('x'));
    const id = first.responseHeaders?.['x-session-id'];
    assert.match(id ?? '', /^[0-9a-f-]{36}$/);
    const again = route(chatRequest('x', { 'x-session-id': id! }));
    assert.equal(again.endpoint.id, first.endpoint.id);
  });

  it('moves a session whose endpoint is unavailable, visibly, and sticks to the new one', () => {
    const { candidates, route } = setup();
    const request = chatRequest('x', { 'x-session-id': 's' });
    const first = route(request);
    const others = candidates.filter((c) => c !== first.endpoint);
    const moved = route(request, others);
    assert.notEqual(moved.endpoint.id, first.endpoint.id);
    assert.deepEqual(
      { to: moved.fallback?.to, reason: moved.fallback?.reason },
      { to: 'least-request', reason: 'session_endpoint_unavailable' },
    );
    const back = route(request);
    assert.equal(back.endpoint.id, moved.endpoint.id, 'the session stays where it moved');
    assert.equal(back.fallback, undefined);
  });

  it('forgets sessions unused for the TTL, and the least recently used beyond the bound', () => {
    const { now, router, route } = setup(1_000, 2);
    route(chatRequest('x', { 'x-session-id': 'one' }));
    route(chatRequest('x', { 'x-session-id': 'two' }));
    now.ms = 900;
    route(chatRequest('x', { 'x-session-id': 'one' }));
    route(chatRequest('x', { 'x-session-id': 'three' }));
    assert.equal(router.lookup('two'), undefined, 'least recently used goes first');
    assert.notEqual(router.lookup('one'), undefined);
    now.ms = 2_000;
    assert.equal(router.lookup('one'), undefined, 'unused for longer than the TTL');
  });
});
