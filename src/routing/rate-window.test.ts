import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RateWindow } from './rate-window.js';

describe('rate window', () => {
  it('sums what was added over the window, per second, and forgets older buckets', () => {
    const now = { ms: 100_000 };
    const window = new RateWindow(() => now.ms, 10_000, 250);
    window.add(50);
    now.ms += 5_000;
    window.add(30);
    window.add(-4); // ignored
    assert.equal(window.perSecond(), 8);
    now.ms += 5_000; // the first bucket is now just over 10 s old
    assert.equal(window.perSecond(), 3);
    now.ms += 20_000;
    assert.equal(window.perSecond(), 0);
    window.add(10);
    assert.equal(window.perSecond(), 1, 'a reused bucket starts from zero');
  });
});
