import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KvCache } from './kv-cache.js';

const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

/** Allocates a whole prompt, marks it computed, and returns the allocation. */
function run(cache: KvCache, tokens: number[], extra = 0) {
  const hashes = KvCache.blockHashes(tokens, cache.blockSize);
  const allocation = cache.allocate(hashes, tokens.length, tokens.length + extra);
  assert.ok(allocation, 'allocation fits');
  cache.commit(allocation, hashes, Math.floor(tokens.length / cache.blockSize));
  return { allocation, hashes };
}

describe('KV cache', () => {
  it('chains block hashes: equal blocks after different prefixes differ', () => {
    const a = KvCache.blockHashes([1, 2, 3, 4, 5, 6, 7, 8], 4);
    const b = KvCache.blockHashes([9, 9, 9, 9, 5, 6, 7, 8], 4);
    const c = KvCache.blockHashes([1, 2, 3, 4, 5, 6, 7, 8, 9], 4);
    assert.equal(a.length, 2);
    assert.equal(c.length, 2, 'partial blocks have no hash');
    assert.notEqual(a[1], b[1]);
    assert.deepEqual(a, c);
  });

  it('finds a shared prefix, but never the last prompt token', () => {
    const cache = new KvCache(16, 4);
    const first = run(cache, range(0, 12));
    cache.release(first.allocation);
    // Same 12 tokens again: only 2 blocks hit, since the last token must be computed.
    const again = KvCache.blockHashes(range(0, 12), 4);
    assert.equal(cache.cachedPrefixTokens(again, 12), 8);
    // A longer prompt sharing the first 12 tokens hits all three blocks.
    const longer = range(0, 20);
    assert.equal(cache.cachedPrefixTokens(KvCache.blockHashes(longer, 4), 20), 12);
    // A prompt that differs in the first block hits nothing.
    assert.equal(cache.cachedPrefixTokens(KvCache.blockHashes([99, ...range(1, 19)], 4), 20), 0);
  });

  it('shares cached blocks between running sequences and counts usage by blocks held', () => {
    const cache = new KvCache(10, 4);
    const a = run(cache, range(0, 8), 4); // 3 blocks
    assert.equal(cache.usedBlocks, 3);
    const hashes = KvCache.blockHashes(range(0, 12), 4);
    const b = cache.allocate(hashes, 12, 12);
    assert.ok(b);
    assert.equal(b.cachedBlocks, 2);
    assert.deepEqual(b.blockIds.slice(0, 2), a.allocation.blockIds.slice(0, 2));
    assert.equal(cache.usedBlocks, 4, 'two shared blocks + one fresh block each');
    assert.equal(cache.usage, 0.4);
    cache.release(a.allocation);
    cache.release(b);
    assert.equal(cache.usage, 0);
  });

  it('refuses an allocation that does not fit, changing nothing', () => {
    const cache = new KvCache(4, 4);
    const held = run(cache, range(0, 12)); // 3 blocks held
    const before = cache.usedBlocks;
    assert.equal(cache.allocate(KvCache.blockHashes(range(100, 8), 4), 8, 8), undefined);
    assert.equal(cache.usedBlocks, before);
    cache.release(held.allocation);
    assert.ok(cache.allocate(KvCache.blockHashes(range(100, 8), 4), 8, 8));
  });

  it('evicts least recently used blocks first, and never blocks in use', () => {
    const cache = new KvCache(6, 2);
    const a = run(cache, [1, 1, 2, 2]); // A0 A1
    const b = run(cache, [4, 4, 5, 5]); // B0 B1, still running below
    cache.release(a.allocation); // evictable: A1, A0 (tail first)
    // Two empty blocks are left: a new sequence takes those, nothing cached is lost.
    const c = run(cache, [7, 7, 8, 8]);
    assert.equal(cache.cachedPrefixTokens(a.hashes, 5), 4, 'A still cached');
    cache.release(c.allocation); // evictable: A1, A0, C1, C0
    // Two more blocks: evicts A (oldest), not B (in use) nor C.
    const d = run(cache, [9, 9, 10, 10]);
    assert.equal(cache.cachedPrefixTokens(a.hashes, 5), 0, 'A evicted');
    assert.equal(cache.cachedPrefixTokens(b.hashes, 5), 4, 'B in use, kept');
    assert.equal(cache.cachedPrefixTokens(c.hashes, 5), 4, 'C kept');
    // Only C's two blocks can go now; a 3-block sequence does not fit.
    assert.equal(cache.allocate([], 6, 6), undefined);
    cache.release(d.allocation);
    cache.release(b.allocation);
    assert.ok(cache.allocate([], 12, 12), 'everything free again');
  });

  it('evicts the tail of a prefix before its head', () => {
    const cache = new KvCache(3, 2);
    const a = run(cache, [1, 1, 2, 2, 3, 3]);
    cache.release(a.allocation);
    // One fresh block: the last block of A goes, its first two blocks stay.
    const one = cache.allocate([], 2, 2);
    assert.ok(one);
    assert.equal(cache.cachedPrefixTokens(a.hashes, 7), 4);
  });

  it('a reused cached block becomes most recently used', () => {
    const cache = new KvCache(4, 2);
    const a = run(cache, [1, 1, 0]); // A0 + a partial block
    const b = run(cache, [2, 2, 0]); // B0 + a partial block
    cache.release(a.allocation);
    cache.release(b.allocation); // evictable, oldest first: A0, B0
    cache.release(run(cache, [1, 1, 5]).allocation); // reuses A0: now B0 is the oldest
    assert.ok(cache.allocate([], 6, 6)); // three blocks: the two empty ones, then evicts B0
    assert.equal(cache.cachedPrefixTokens(b.hashes, 3), 0, 'B0 evicted');
    assert.equal(cache.cachedPrefixTokens(a.hashes, 3), 2, 'A0 kept: used more recently');
  });

  it('rejects double release', () => {
    const cache = new KvCache(2, 2);
    const a = run(cache, [1, 2, 3]);
    cache.release(a.allocation);
    assert.throws(() => cache.release(a.allocation), /released more often/);
  });
});
