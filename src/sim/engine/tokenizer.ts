/**
 * The simulator's tokenizer: deterministic, dependency-free, and close enough to a real
 * BPE vocabulary in token counts (about 4-5 characters per English token) for latency,
 * KV-cache and usage numbers to look like a real engine's.
 *
 * Rules, applied left to right (a GPT-2-style pre-tokenizer):
 * 1. A special token written `<|name|>` (e.g. `<|im_start|>`) is one token.
 * 2. A run of letters, with at most one leading space, is one token per 6 characters
 *    (` hello` is one token, ` internationalization` is four).
 * 3. Every digit is its own token (` 2024` is four tokens), as in Llama and Qwen.
 * 4. A run of other symbols, with at most one leading space, is one token per character.
 * 5. A run of whitespace is one token per 4 characters. Spaces before a line break go
 *    with it; the last space before a word goes to the word.
 *
 * Ids: a one-character piece with a code below 256 gets that code; the special tokens
 * below get Qwen's ids; every other piece gets `256 + hash(piece) mod (VOCAB_SIZE - 256 - specials)`.
 * The same text always gives the same ids, on every platform.
 */
import { hashText } from './hash.js';

export const VOCAB_SIZE = 151_936;

/** Special tokens with fixed ids (Qwen's numbering). */
export const SPECIAL_TOKENS: Readonly<Record<string, number>> = {
  '<|endoftext|>': 151_643,
  '<|im_start|>': 151_644,
  '<|im_end|>': 151_645,
};

const HASHED_RANGE = 151_643 - 256;
const WORD_CHUNK = 6;
const SPACE_CHUNK = 4;

const PIECES =
  /<\|[A-Za-z0-9_]+\|>| ?[\p{L}\p{M}]+| ?\p{N}| ?(?:(?!<\|[A-Za-z0-9_]+\|>)[^\s\p{L}\p{M}\p{N}])+|\s*[\r\n]+| +(?!\S)|\s+/gu;
const LETTER = /[\p{L}\p{M}]/u;
const DIGIT = /\p{N}/u;

/** Splits text into token strings; joining them gives the text back. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const match of text.matchAll(PIECES)) {
    const piece = match[0];
    if (piece.startsWith('<|')) {
      out.push(piece);
      continue;
    }
    const body = piece.startsWith(' ') ? piece.slice(1) : piece;
    if (body.length === 0 || /^\s+$/.test(piece)) {
      chunk(piece, SPACE_CHUNK, out);
    } else if (LETTER.test(body[0]!)) {
      chunk(piece, WORD_CHUNK + (piece.length > body.length ? 1 : 0), out, WORD_CHUNK);
    } else if (DIGIT.test(body[0]!)) {
      out.push(piece);
    } else {
      // Symbols: the optional leading space rides on the first one.
      chunk(piece, piece.length > body.length ? 2 : 1, out, 1);
    }
  }
  return out;
}

/** Token ids of `text`. */
export function encode(text: string): number[] {
  return tokenize(text).map(tokenId);
}

/** Number of tokens in `text` (same as `encode(text).length`). */
export function countTokens(text: string): number {
  return tokenize(text).length;
}

/** The id of one token string. */
export function tokenId(piece: string): number {
  const special = SPECIAL_TOKENS[piece];
  if (special !== undefined) return special;
  if (piece.length === 1 && piece.charCodeAt(0) < 256) return piece.charCodeAt(0);
  return 256 + (hashText(piece) % HASHED_RANGE);
}

/** Cuts `piece` into a first chunk of `first` characters, then chunks of `rest` characters. */
function chunk(piece: string, first: number, out: string[], rest = first): void {
  const chars = Array.from(piece);
  let i = 0;
  let size = first;
  while (i < chars.length) {
    out.push(chars.slice(i, i + size).join(''));
    i += size;
    size = rest;
  }
}
