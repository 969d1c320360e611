/**
 * Deterministic embeddings: each token id owns a fixed pseudo-random direction, and a
 * text's vector is the normalized sum of its tokens' directions. Equal texts give equal
 * vectors and texts sharing many tokens point in similar directions, so cosine similarity
 * behaves plausibly in demos. Values are float32, so float and base64 answers agree.
 */
import { seededRandom } from './hash.js';

/** The width of an embedding when the request sets no `dimensions`. */
export const EMBEDDING_DIMENSIONS = 1024;

/** The embedding of `tokenIds`, cut to `dimensions` (Matryoshka style) and L2-normalized. */
export function embed(tokenIds: readonly number[], dimensions = EMBEDDING_DIMENSIONS): Float32Array {
  const sum = new Float64Array(dimensions);
  for (const id of tokenIds) {
    const random = seededRandom(id * 2654435761 + 97);
    for (let i = 0; i < dimensions; i++) sum[i]! += random() * 2 - 1;
  }
  let norm = 0;
  for (let i = 0; i < dimensions; i++) norm += sum[i]! * sum[i]!;
  norm = Math.sqrt(norm) || 1;
  const out = new Float32Array(dimensions);
  for (let i = 0; i < dimensions; i++) out[i] = sum[i]! / norm;
  return out;
}

/** The vector as OpenAI's `encoding_format: "base64"` sends it: little-endian float32 bytes. */
export function toBase64(vector: Float32Array): string {
  const bytes = Buffer.alloc(vector.length * 4);
  for (let i = 0; i < vector.length; i++) bytes.writeFloatLE(vector[i]!, i * 4);
  return bytes.toString('base64');
}
