import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EMBEDDING_DIMENSIONS, embed, toBase64 } from './embedding.js';
import { encode } from './tokenizer.js';

const cosine = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);

describe('deterministic embeddings', () => {
  it('are unit vectors of the requested width, equal for equal text', () => {
    const a = embed(encode('the quick brown fox'));
    assert.equal(a.length, EMBEDDING_DIMENSIONS);
    assert.ok(Math.abs(cosine(a, a) - 1) < 1e-5);
    assert.deepEqual(a, embed(encode('the quick brown fox')));
    const short = embed(encode('the quick brown fox'), 64);
    assert.equal(short.length, 64);
    assert.ok(Math.abs(cosine(short, short) - 1) < 1e-5);
  });

  it('place texts that share words closer than unrelated texts', () => {
    const base = embed(encode('routing requests to model servers'));
    const near = embed(encode('routing many requests to model servers quickly'));
    const far = embed(encode('green apples grow in autumn orchards'));
    assert.ok(cosine(base, near) > cosine(base, far) + 0.2);
  });

  it('encode to base64 as little-endian float32', () => {
    const v = embed(encode('x'), 8);
    const bytes = Buffer.from(toBase64(v), 'base64');
    assert.equal(bytes.length, 32);
    for (let i = 0; i < 8; i++) assert.equal(bytes.readFloatLE(i * 4), v[i]);
  });
});
