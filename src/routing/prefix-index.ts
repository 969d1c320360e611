/**
 * What each endpoint's prefix cache probably holds, as the gateway's own record of the
 * prompts it sent there.
 *
 * A prompt is cut into blocks of `blockSize` tokens; each full block gets a chained hash
 * (its tokens and the previous block's hash), so a block matches only when everything
 * before it matches too, as in vLLM's automatic prefix caching. Per endpoint the index
 * keeps at most `maxBlocks` blocks, dropping the least recently used first, and forgets a
 * block unused for `ttlMs`. A prompt's blocks are touched tail first, so its head is the
 * freshest and outlives its tail, as on the engine.
 *
 * The index is an estimate: it does not see the engine's own evictions, which is why it
 * is bounded the way the engine is (LRU) and by age.
 */

export interface PrefixIndexOptions {
  readonly maxBlocks: number;
  readonly ttlMs: number;
  readonly clock?: () => number;
}

/** Chained hashes of every full block of `ids` (53-bit numbers, safe as Map keys). */
export function blockHashes(ids: readonly number[], blockSize: number): number[] {
  const out: number[] = [];
  let hi = 0x2545f491;
  let lo = 0x9e3779b9;
  for (let start = 0; start + blockSize <= ids.length; start += blockSize) {
    for (let i = start; i < start + blockSize; i++) {
      const id = ids[i]! >>> 0;
      hi = Math.imul(hi ^ id, 0x01000193) >>> 0;
      lo = Math.imul(lo ^ ((id << 13) | (id >>> 19)), 0x5bd1e995) >>> 0;
      lo ^= lo >>> 15;
    }
    out.push((hi & 0x1fffff) * 0x100000000 + lo);
  }
  return out;
}

export class PrefixIndex {
  /** endpoint id -> block hash -> last use; Map order is least recently used first. */
  private readonly endpoints = new Map<string, Map<number, number>>();
  private readonly clock: () => number;

  constructor(private readonly options: PrefixIndexOptions) {
    this.clock = options.clock ?? Date.now;
  }

  /** How many leading blocks of `hashes` the endpoint is believed to hold now. */
  matchedBlocks(endpointId: string, hashes: readonly number[]): number {
    const blocks = this.endpoints.get(endpointId);
    if (!blocks) return 0;
    const oldest = this.clock() - this.options.ttlMs;
    let n = 0;
    for (const hash of hashes) {
      const usedAt = blocks.get(hash);
      if (usedAt === undefined || usedAt < oldest) break;
      n++;
    }
    return n;
  }

  /** Records that the endpoint now holds every block of `hashes`. */
  record(endpointId: string, hashes: readonly number[]): void {
    let blocks = this.endpoints.get(endpointId);
    if (!blocks) {
      blocks = new Map();
      this.endpoints.set(endpointId, blocks);
    }
    const now = this.clock();
    for (let i = hashes.length - 1; i >= 0; i--) {
      const hash = hashes[i]!;
      blocks.delete(hash);
      blocks.set(hash, now);
    }
    this.evict(blocks, now);
  }

  /** Blocks currently remembered for the endpoint (expired ones excluded). */
  size(endpointId: string): number {
    const blocks = this.endpoints.get(endpointId);
    if (!blocks) return 0;
    this.evict(blocks, this.clock());
    return blocks.size;
  }

  private evict(blocks: Map<number, number>, now: number): void {
    const oldest = now - this.options.ttlMs;
    for (const [hash, usedAt] of blocks) {
      if (blocks.size <= this.options.maxBlocks && usedAt >= oldest) break;
      blocks.delete(hash);
    }
  }
}
