import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EndpointRegistry } from './endpoint-state.js';
import { PassiveHealth } from './health.js';

describe('PassiveHealth', () => {
  const spec = { id: 'a:1', host: 'a', port: 1, tls: false, role: 'both' as const };

  it('ejects after consecutive failures for a doubling interval, and readmits after it', () => {
    let now = 1_000;
    const clock = () => now;
    const state = new EndpointRegistry({ clock }).state(spec);
    const health = new PassiveHealth(
      { consecutiveFailures: 2, baseEjectionMs: 100, maxEjectionMs: 250 },
      clock,
    );
    assert.equal(health.recordFailure(state), false);
    assert.equal(state.healthy, true);
    assert.equal(health.recordFailure(state), true);
    assert.equal(state.healthy, false);
    now += 100;
    assert.equal(state.healthy, true, 'readmitted after the first interval');
    health.recordFailure(state);
    health.recordFailure(state);
    now += 199;
    assert.equal(state.healthy, false, 'second ejection lasts twice as long');
    now += 1;
    assert.equal(state.healthy, true);
    health.recordFailure(state);
    health.recordFailure(state);
    now += 249;
    assert.equal(state.healthy, false, 'capped at maxEjectionMs');
    now += 1;
    assert.equal(state.healthy, true);
  });

  it('a success resets the failure count and the growth', () => {
    let now = 0;
    const clock = () => now;
    const state = new EndpointRegistry({ clock }).state(spec);
    const health = new PassiveHealth(
      { consecutiveFailures: 2, baseEjectionMs: 100, maxEjectionMs: 1000 },
      clock,
    );
    health.recordFailure(state);
    health.recordSuccess(state);
    assert.equal(health.recordFailure(state), false);
    health.recordFailure(state);
    now += 100;
    health.recordSuccess(state);
    health.recordFailure(state);
    health.recordFailure(state);
    now += 100;
    assert.equal(state.healthy, true, 'growth reset by the success');
  });
});

describe('EndpointRegistry.reconcile', () => {
  const spec = (id: string, role: 'both' | 'prefill' = 'both') => {
    const [host, port] = id.split(':') as [string, string];
    return { id, host, port: Number(port), tls: false, role };
  };

  it('keeps the state of unchanged endpoints, renews changed ones and forgets removed ones', () => {
    const registry = new EndpointRegistry();
    registry.reconcile([spec('a:1'), spec('b:1'), spec('c:1')]);
    const a = registry.state(spec('a:1'));
    const b = registry.state(spec('b:1'));
    a.inFlight = 3;
    a.ejectedUntil = 42;
    registry.reconcile([spec('a:1'), spec('b:1', 'prefill'), spec('d:1')]);
    assert.equal(registry.state(spec('a:1')), a, 'same state object');
    assert.equal(a.inFlight, 3);
    assert.notEqual(registry.state(spec('b:1', 'prefill')), b, 'a changed role starts afresh');
    assert.equal(registry.state(spec('b:1', 'prefill')).spec.role, 'prefill');
    assert.deepEqual(
      registry
        .all()
        .map((s) => s.id)
        .sort(),
      ['a:1', 'b:1', 'd:1'],
    );
  });
});
