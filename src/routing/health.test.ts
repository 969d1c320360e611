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
