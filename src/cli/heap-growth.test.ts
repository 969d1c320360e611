import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { limitHeapGrowth } from './heap-growth.js';

describe('limitHeapGrowth', () => {
  it('leaves a growth the operator chose alone', () => {
    assert.equal(limitHeapGrowth(['--heap-growing-percent=80'], undefined), false);
    assert.equal(limitHeapGrowth([], '--max-old-space-size=512 --heap-growing-percent=50'), false);
  });

  it('sets its own otherwise', () => {
    assert.equal(limitHeapGrowth(['--enable-source-maps'], '--max-old-space-size=512'), true);
  });
});
