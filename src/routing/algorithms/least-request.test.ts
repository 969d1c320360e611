import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chatRequest, fleet, routerContract, seeded } from '../../../test/helpers/router-contract.js';
import { LeastRequestRouter } from './least-request.js';

routerContract('least-request', (deps) => new LeastRequestRouter(deps.random));

describe('least-request', () => {
  it('picks the endpoint with the fewest requests in flight and reports the count as its score', () => {
    const candidates = fleet(['a:1', 'b:1', 'c:1']);
    candidates[0]!.inFlight = 4;
    candidates[1]!.inFlight = 1;
    candidates[2]!.inFlight = 2;
    const choice = new LeastRequestRouter(seeded()).pick(chatRequest('x'), candidates);
    assert.equal(choice.endpoint.id, 'b:1');
    assert.equal(choice.score, 1);
  });

  it('breaks ties at random among the least loaded only', () => {
    const candidates = fleet(['a:1', 'b:1', 'c:1']);
    candidates[0]!.inFlight = 1;
    const router = new LeastRequestRouter(seeded(3));
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) seen.add(router.pick(chatRequest('x'), candidates).endpoint.id);
    assert.deepEqual([...seen].sort(), ['b:1', 'c:1']);
  });
});
