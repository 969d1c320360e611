/**
 * The router's tokenizer: deterministic, dependency-free, and fast. It approximates a BPE
 * tokenizer's segmentation (about 4-5 characters of English per token) without knowing the
 * engine's vocabulary, so block boundaries fall roughly where the engine's would and a
 * block size in tokens means about the same amount of prompt as on the engine.
 *
 * The prefix index only needs two properties, which hold exactly: the same text always
 * gives the same ids, and a shared text prefix gives a shared id prefix (up to the last
 * piece before the point where the texts differ).
 *
 * Pieces, left to right: a special token `<|name|>`; letters with at most one leading
 * space, cut every 6 letters; one digit; one other symbol with at most one leading space;
 * up to 4 whitespace characters.
 */

const PIECES = /<\|[A-Za-z0-9_]{1,32}\|>| ?[\p{L}\p{M}]{1,6}| ?\p{N}| ?[^\s\p{L}\p{M}\p{N}]|\s{1,4}/gu;

/** Token ids of `text`: a 32-bit hash of each piece. */
export function tokenIds(text: string): number[] {
  const ids: number[] = [];
  for (const match of text.matchAll(PIECES)) ids.push(fnv1a(match[0]));
  return ids;
}

/** FNV-1a over UTF-16 code units, 32 bits. */
export function fnv1a(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
