import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_ANSWER_TOKENS, generateAnswer } from './answer.js';
import { countTokens, encode } from './tokenizer.js';

describe('deterministic answers', () => {
  const prompt = encode('Tell me about switchyards.');

  it('is the same for the same seed and prompt, different otherwise', () => {
    assert.deepEqual(generateAnswer(7, prompt).pieces, generateAnswer(7, prompt).pieces);
    assert.notDeepEqual(generateAnswer(7, prompt).pieces, generateAnswer(8, prompt).pieces);
    assert.notDeepEqual(generateAnswer(7, prompt).pieces, generateAnswer(7, encode('Something else')).pieces);
  });

  it('has exactly max_tokens tokens when asked, and re-tokenizes to the same count', () => {
    for (const n of [1, 2, 5, 17, 300]) {
      const answer = generateAnswer(1, prompt, n);
      assert.equal(answer.pieces.length, n);
      assert.equal(answer.truncated, true);
      assert.equal(countTokens(answer.pieces.join('')), n, answer.pieces.join(''));
    }
  });

  it('picks a seeded natural length within the documented range and ends a sentence', () => {
    const lengths = new Set<number>();
    for (let seed = 0; seed < 40; seed++) {
      const answer = generateAnswer(seed, prompt);
      const n = answer.pieces.length;
      lengths.add(n);
      assert.ok(n >= DEFAULT_ANSWER_TOKENS.min && n <= DEFAULT_ANSWER_TOKENS.max, String(n));
      assert.equal(answer.truncated, false);
      assert.equal(answer.pieces.at(-1), '.');
      assert.equal(countTokens(answer.pieces.join('')), n);
      assert.match(answer.pieces[0]!, /^[A-Z]/);
    }
    assert.ok(lengths.size > 10, 'lengths vary with the seed');
  });
});
