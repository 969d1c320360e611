/**
 * The prefix-cache hit rate a perfect router would reach on a run's requests: as if every
 * request went to an engine holding every block any earlier request computed (prompt and
 * answer), with room for all of them. Measured exactly as the engines count it
 * (`vllm:prefix_cache_hits_total / vllm:prefix_cache_queries_total`): full blocks only,
 * and at least the last prompt token always computed. It uses the simulator's own
 * tokenizer, chat template and block hashes, so it is the engines' arithmetic, not the
 * router's estimate. No router can beat it; a fleet whose caches cannot hold the working
 * set cannot reach it either.
 */
import { renderChat } from '../sim/engine/chat-template.js';
import { KvCache } from '../sim/engine/kv-cache.js';
import { encode, tokenId, tokenize } from '../sim/engine/tokenizer.js';
import type { RequestRecord } from './driver.js';

export function perfectHitRate(records: readonly RequestRecord[], blockSize: number): number {
  const seen = new Set<number>();
  let cached = 0;
  let total = 0;
  const ordered = records.filter((r) => !r.error).sort((a, b) => a.sentAt - b.sentAt);
  for (const record of ordered) {
    const prompt = encode(renderChat(record.messages));
    const hashes = KvCache.blockHashes(prompt, blockSize);
    const limit = Math.min(hashes.length, Math.floor((prompt.length - 1) / blockSize));
    let hit = 0;
    while (hit < limit && seen.has(hashes[hit]!)) hit++;
    cached += hit * blockSize;
    total += prompt.length;
    const sequence = [...prompt, ...tokenize(record.answer).map(tokenId)];
    for (const hash of KvCache.blockHashes(sequence, blockSize)) seen.add(hash);
  }
  return total ? cached / total : 0;
}
