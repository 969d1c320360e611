import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { median, quantile, spread } from './stats.js';

describe('benchmark statistics', () => {
  it('takes quantiles by nearest rank', () => {
    const values = [5, 1, 4, 2, 3, 6, 7, 8, 9, 10];
    assert.equal(quantile(values, 0.5), 5);
    assert.equal(quantile(values, 0.9), 9);
    assert.equal(quantile(values, 0.99), 10);
    assert.equal(quantile(values, 0), 1);
    assert.ok(Number.isNaN(quantile([], 0.5)));
  });

  it('takes the median of odd and even counts', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.ok(Number.isNaN(median([])));
  });

  it('measures how far rounds spread around their median', () => {
    assert.equal(spread([90, 100, 110]), 0.2);
    assert.equal(spread([100]), 0);
  });
});
