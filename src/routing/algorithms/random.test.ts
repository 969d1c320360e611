import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chatRequest, fleet, routerContract, seeded } from '../../../test/helpers/router-contract.js';
import { RandomRouter } from './random.js';

routerContract('random', (deps) => new RandomRouter(deps.random));

describe('random', () => {
  it('spreads requests evenly, ignoring load', () => {
    const router = new RandomRouter(seeded(7));
    const candidates = fleet(['a:1', 'b:1', 'c:1']);
    candidates[0]!.inFlight = 100;
    const counts = new Map<string, number>();
    for (let i = 0; i < 3000; i++) {
      const id = router.pick(chatRequest('x'), candidates).endpoint.id;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    for (const c of candidates) {
      const share = (counts.get(c.id) ?? 0) / 3000;
      assert.ok(Math.abs(share - 1 / 3) < 0.04, `${c.id} share ${share}`);
    }
  });
});
