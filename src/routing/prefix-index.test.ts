import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { blockHashes, PrefixIndex } from './prefix-index.js';

const ids = (n: number, offset = 0) => Array.from({ length: n }, (_, i) => i + offset);

describe('block hashes', () => {
  it('hashes full blocks only, the same tokens the same way', () => {
    assert.equal(blockHashes(ids(47), 16).length, 2);
    assert.deepEqual(blockHashes(ids(48), 16), blockHashes(ids(48), 16));
    assert.equal(blockHashes(ids(15), 16).length, 0);
  });

  it('chains: a block matches only when everything before it matches', () => {
    const a = blockHashes([...ids(16, 100), ...ids(16)], 16);
    const b = blockHashes([...ids(16, 200), ...ids(16)], 16);
    assert.notEqual(a[0], b[0]);
    assert.notEqual(a[1], b[1], 'same second block, different history');
    const c = blockHashes([...ids(16, 100), ...ids(16, 50)], 16);
    assert.equal(a[0], c[0]);
    assert.notEqual(a[1], c[1]);
  });

  it('gives safe integers', () => {
    for (const h of blockHashes(ids(160), 16)) assert.ok(Number.isSafeInteger(h) && h >= 0);
  });
});

describe('prefix index', () => {
  const setup = (maxBlocks: number, ttlMs = 60_000) => {
    const now = { ms: 0 };
    return { now, index: new PrefixIndex({ maxBlocks, ttlMs, clock: () => now.ms }) };
  };

  it('counts the leading blocks an endpoint holds, per endpoint', () => {
    const { index } = setup(100);
    const prompt = blockHashes(ids(64), 16);
    index.record('a', prompt.slice(0, 2));
    assert.equal(index.matchedBlocks('a', prompt), 2);
    assert.equal(index.matchedBlocks('b', prompt), 0);
    index.record('a', prompt);
    assert.equal(index.matchedBlocks('a', prompt), 4);
  });

  it('bounds each endpoint to maxBlocks, forgetting tails before heads', () => {
    const { index } = setup(4);
    const first = blockHashes(ids(64), 16); // 4 blocks
    index.record('a', first);
    const second = blockHashes(ids(32, 1000), 16); // 2 more blocks: 2 of the first must go
    index.record('a', second);
    assert.equal(index.size('a'), 4);
    assert.equal(index.matchedBlocks('a', first), 2, "the first prompt's head survives its tail");
    assert.equal(index.matchedBlocks('a', second), 2);
  });

  it('keeps recently used prefixes and drops the least recently used', () => {
    const { now, index } = setup(4);
    const x = blockHashes(ids(32, 0), 16);
    const y = blockHashes(ids(32, 500), 16);
    index.record('a', x);
    now.ms = 1;
    index.record('a', y);
    now.ms = 2;
    index.record('a', x); // x used again: y is now the oldest
    index.record('a', blockHashes(ids(32, 900), 16));
    assert.equal(index.matchedBlocks('a', x), 2);
    assert.equal(index.matchedBlocks('a', y), 0);
  });

  it('forgets blocks not used for the TTL', () => {
    const { now, index } = setup(100, 1_000);
    const prompt = blockHashes(ids(32), 16);
    index.record('a', prompt);
    now.ms = 1_000;
    assert.equal(index.matchedBlocks('a', prompt), 2);
    now.ms = 1_001;
    assert.equal(index.matchedBlocks('a', prompt), 0);
    assert.equal(index.size('a'), 0);
  });
});
