/**
 * Small, fast, deterministic hashing and pseudo-random numbers for the simulator.
 * Nothing here is cryptographic: it only has to be stable across runs and platforms.
 */

/** A 53-bit hash of `text` (cyrb53), continuing from `seed`; safe as a JS number and map key. */
export function hashText(text: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  return finish(h1, h2);
}

/** A 53-bit hash of a list of integers (token ids), chained from `parent`. */
export function hashInts(values: ArrayLike<number>, parent = 0, start = 0, end = values.length): number {
  // Fold the 53-bit parent into both lanes so the chain depends on every earlier block.
  let h1 = 0xdeadbeef ^ (parent >>> 0);
  let h2 = 0x41c6ce57 ^ Math.floor(parent / 0x100000000);
  for (let i = start; i < end; i++) {
    const v = values[i]! | 0;
    h1 = Math.imul(h1 ^ v, 2654435761);
    h2 = Math.imul(h2 ^ v, 1597334677);
  }
  h1 = Math.imul(h1 ^ (end - start), 2246822507);
  return finish(h1, h2);
}

function finish(a: number, b: number): number {
  let h1 = a;
  let h2 = b;
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** A seeded generator of floats in [0, 1) (mulberry32); the same seed gives the same sequence. */
export function seededRandom(seed: number): () => number {
  let state = (seed >>> 0) ^ Math.floor(seed / 0x100000000);
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
