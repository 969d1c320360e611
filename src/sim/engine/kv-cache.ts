/**
 * The KV cache of one engine: `numBlocks` blocks of `blockSize` tokens, with automatic
 * prefix caching in vLLM's style.
 *
 * - A full block is identified by a chained hash: hash(previous block's hash, its token
 *   ids), so a block matches only when the whole prefix before it matches too.
 * - A sequence holds its blocks (reference counted) until it finishes. Finished blocks
 *   keep their contents and stay findable by hash until they are evicted.
 * - Free blocks are reused empty ones first, then evicted least recently used first. A
 *   sequence's blocks are freed tail first, so its prefix outlives its tail.
 * - Blocks held by any sequence are never evicted.
 * - At least the last prompt token is always computed, as in vLLM: a prompt can hit at
 *   most `floor((promptLength - 1) / blockSize)` blocks.
 *
 * Simplification: a sequence reserves every block it will need (prompt and answer) when
 * it is admitted, so the simulator never preempts; vLLM allocates as it decodes and
 * preempts when it runs out.
 */
import { hashInts } from './hash.js';

/** Blocks reserved by one sequence. */
export interface Allocation {
  /** Block ids in token order (prompt, then answer). */
  readonly blockIds: readonly number[];
  /** Leading blocks that were found in the cache. */
  readonly cachedBlocks: number;
  /** `cachedBlocks * blockSize`: prompt tokens that need no prefill. */
  readonly cachedTokens: number;
}

const NO_HASH = -1;

export class KvCache {
  private readonly refCount: Int32Array;
  private readonly hashOf: Float64Array;
  private readonly byHash = new Map<number, number>();
  /** Never-filled (or emptied) blocks, used first. */
  private readonly empty: number[] = [];
  /** Free blocks that still hold cached contents, oldest first. */
  private readonly evictable = new Map<number, true>();

  constructor(
    readonly numBlocks: number,
    readonly blockSize: number,
  ) {
    if (!Number.isInteger(numBlocks) || numBlocks < 1) throw new RangeError('numBlocks must be >= 1');
    if (!Number.isInteger(blockSize) || blockSize < 1) throw new RangeError('blockSize must be >= 1');
    this.refCount = new Int32Array(numBlocks);
    this.hashOf = new Float64Array(numBlocks).fill(NO_HASH);
    for (let id = numBlocks - 1; id >= 0; id--) this.empty.push(id);
  }

  /** Tokens the cache can hold at once. */
  get capacityTokens(): number {
    return this.numBlocks * this.blockSize;
  }

  /** Fraction of blocks held by sequences (0..1), what vLLM reports as KV-cache usage. */
  get usage(): number {
    return this.usedBlocks / this.numBlocks;
  }

  get usedBlocks(): number {
    return this.numBlocks - this.empty.length - this.evictable.size;
  }

  /** Blocks that hold cached contents (in use or evictable). */
  get cachedBlockCount(): number {
    return this.byHash.size;
  }

  /** Blocks needed for `tokens` tokens. */
  blocksFor(tokens: number): number {
    return Math.ceil(tokens / this.blockSize);
  }

  /** Prompt tokens that a sequence with these block hashes would find cached now. */
  cachedPrefixTokens(hashes: readonly number[], promptLength: number): number {
    return this.matchPrefix(hashes, promptLength).length * this.blockSize;
  }

  /**
   * Reserves blocks for a sequence of `totalTokens` tokens whose prompt has `promptLength`
   * tokens and full-block hashes `hashes` (see `blockHashes`). Cached prefix blocks are
   * shared; the rest are fresh. Returns undefined, changing nothing, when too few blocks
   * are free.
   */
  allocate(hashes: readonly number[], promptLength: number, totalTokens: number): Allocation | undefined {
    const cached = this.matchPrefix(hashes, promptLength);
    const needed = Math.max(this.blocksFor(totalTokens), cached.length) - cached.length;
    let cachedButFree = 0;
    for (const id of cached) if (this.refCount[id] === 0) cachedButFree++;
    if (this.empty.length + this.evictable.size - cachedButFree < needed) return undefined;

    const blockIds: number[] = [];
    for (const id of cached) {
      if (this.refCount[id] === 0) this.evictable.delete(id);
      this.refCount[id]!++;
      blockIds.push(id);
    }
    for (let i = 0; i < needed; i++) {
      const id = this.takeFreeBlock();
      this.refCount[id] = 1;
      blockIds.push(id);
    }
    return { blockIds, cachedBlocks: cached.length, cachedTokens: cached.length * this.blockSize };
  }

  /**
   * Publishes the computed full blocks `[0, blocks)` of an allocation under their hashes,
   * so later sequences find them. A hash already published by another block is left alone.
   */
  commit(allocation: Allocation, hashes: readonly number[], blocks: number): void {
    const upTo = Math.min(blocks, hashes.length, allocation.blockIds.length);
    for (let i = allocation.cachedBlocks; i < upTo; i++) {
      const id = allocation.blockIds[i]!;
      const hash = hashes[i]!;
      if (this.hashOf[id] !== NO_HASH || this.byHash.has(hash)) continue;
      this.hashOf[id] = hash;
      this.byHash.set(hash, id);
    }
  }

  /** Returns a sequence's blocks; cached ones become evictable (tail first), others empty. */
  release(allocation: Allocation): void {
    for (let i = allocation.blockIds.length - 1; i >= 0; i--) {
      const id = allocation.blockIds[i]!;
      const left = --this.refCount[id]!;
      if (left > 0) continue;
      if (left < 0) throw new Error(`block ${id} released more often than it was allocated`);
      if (this.hashOf[id] === NO_HASH) this.empty.push(id);
      else this.evictable.set(id, true);
    }
  }

  /** Chained hashes of every full block of `tokens`. */
  static blockHashes(tokens: readonly number[], blockSize: number): number[] {
    const out: number[] = [];
    let parent = 0;
    for (let start = 0; start + blockSize <= tokens.length; start += blockSize) {
      parent = hashInts(tokens, parent, start, start + blockSize);
      out.push(parent);
    }
    return out;
  }

  private matchPrefix(hashes: readonly number[], promptLength: number): number[] {
    const limit = Math.min(hashes.length, Math.floor(Math.max(promptLength - 1, 0) / this.blockSize));
    const ids: number[] = [];
    for (let i = 0; i < limit; i++) {
      const id = this.byHash.get(hashes[i]!);
      if (id === undefined) break;
      ids.push(id);
    }
    return ids;
  }

  private takeFreeBlock(): number {
    const empty = this.empty.pop();
    if (empty !== undefined) return empty;
    const oldest = this.evictable.keys().next();
    if (oldest.done) throw new Error('no free KV block (allocate checks first)');
    const id = oldest.value;
    this.evictable.delete(id);
    this.byHash.delete(this.hashOf[id]!);
    this.hashOf[id] = NO_HASH;
    return id;
  }
}
