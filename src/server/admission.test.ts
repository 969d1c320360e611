import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { ConcurrencyLimit } from './admission.js';

describe('ConcurrencyLimit', () => {
  it('admits up to the limit and frees a slot when a response closes', () => {
    const limit = new ConcurrencyLimit(2);
    const a = new EventEmitter();
    const b = new EventEmitter();
    assert.equal(limit.tryAdmit(a), true);
    assert.equal(limit.tryAdmit(b), true);
    assert.equal(limit.tryAdmit(new EventEmitter()), false, 'full');
    assert.equal(limit.inFlight, 2, 'a refused request takes nothing');
    a.emit('close');
    assert.equal(limit.inFlight, 1);
    assert.equal(limit.tryAdmit(new EventEmitter()), true);
  });

  it('0 means no limit', () => {
    const limit = new ConcurrencyLimit(0);
    for (let i = 0; i < 10_000; i++) assert.equal(limit.tryAdmit(new EventEmitter()), true);
    assert.equal(limit.inFlight, 10_000);
  });
});
