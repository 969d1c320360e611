import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chatRequest, fleet, routerContract, spec, testDeps } from '../../../test/helpers/router-contract.js';
import { prefixDeps, type RouterDeps } from '../algorithms.js';
import type { EndpointState } from '../endpoint-state.js';
import { PdRouter } from './pd.js';

routerContract('pd', (deps) => new PdRouter(prefixDeps(deps)));

function rolesets(deps: RouterDeps): Record<string, EndpointState> {
  const add = (id: string, role: 'prefill' | 'decode', roleset: string) =>
    [id, deps.registry.state(spec(id, { role, roleset }))] as const;
  return Object.fromEntries([
    add('p1:1', 'prefill', 'one'),
    add('d1:1', 'decode', 'one'),
    add('p2:1', 'prefill', 'two'),
    add('d2:1', 'decode', 'two'),
    add('d3:1', 'decode', 'two'),
  ]);
}

const LONG = 'Summarise the attached maintenance manual for a city bicycle fleet. '.repeat(10);

describe('pd', () => {
  it('asks for prefill-only endpoints among its candidates', () => {
    assert.equal(new PdRouter(prefixDeps(testDeps())).wantsPrefillEndpoints, true);
  });

  it('picks a prefill and a decode endpoint of the same roleset, the decode by load', () => {
    const deps = testDeps();
    const e = rolesets(deps);
    const router = new PdRouter(prefixDeps(deps));
    e['p1:1']!.inFlight = 1; // a new prompt goes to the least loaded prefill: p2
    e['d2:1']!.inFlight = 2;
    const choice = router.pick(chatRequest(LONG), Object.values(e));
    assert.equal(choice.prefill?.id, 'p2:1');
    assert.equal(choice.endpoint.id, 'd3:1', 'least loaded decode of roleset two');
    assert.equal(choice.fallback, undefined);
  });

  it('sends a prompt to the prefill endpoint that computed its prefix', () => {
    const deps = testDeps();
    const e = rolesets(deps);
    const router = new PdRouter(prefixDeps(deps));
    const request = chatRequest(LONG);
    deps.prefixIndex.record('p1:1', deps.prompts.of(request));
    e['p1:1']!.inFlight = 2;
    const choice = router.pick(request, Object.values(e));
    assert.equal(choice.prefill?.id, 'p1:1');
    assert.equal(choice.endpoint.id, 'd1:1');
    assert.equal(choice.matchRatio, 1);
    router.onRouted(request, choice);
    assert.equal(deps.prefixIndex.matchedBlocks('d1:1', deps.prompts.of(request)), 0, 'the prefill holds it');
  });

  it('uses a decode endpoint of another roleset when its own has none healthy', () => {
    const deps = testDeps();
    const e = rolesets(deps);
    const router = new PdRouter(prefixDeps(deps));
    e['p2:1']!.inFlight = 5;
    const choice = router.pick(
      chatRequest(LONG),
      [e['p1:1'], e['p2:1'], e['d2:1']].map((s) => s!),
    );
    assert.equal(choice.prefill?.id, 'p1:1');
    assert.equal(choice.endpoint.id, 'd2:1');
  });

  it('falls back to one engine when a role has no healthy endpoint, and for plain models', () => {
    const deps = testDeps();
    const e = rolesets(deps);
    const router = new PdRouter(prefixDeps(deps));
    const noPrefill = router.pick(chatRequest(LONG), [e['d1:1']!, e['d2:1']!]);
    assert.equal(noPrefill.prefill, undefined);
    assert.equal(noPrefill.fallback?.reason, 'no_prefill_endpoint');
    const noDecode = router.pick(chatRequest(LONG), [e['p1:1']!]);
    assert.equal(noDecode.endpoint.id, 'p1:1');
    assert.equal(noDecode.fallback?.reason, 'no_decode_endpoint');
    const plain = router.pick(chatRequest(LONG), fleet(['a:1', 'b:1'], deps.registry));
    assert.equal(plain.prefill, undefined);
    assert.deepEqual(
      { to: plain.fallback?.to, reason: plain.fallback?.reason },
      { to: 'least-request', reason: 'no_roleset' },
    );
  });
});
