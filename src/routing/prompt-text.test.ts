import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { promptOf } from './prompt-text.js';
import type { RoutingRequest } from './router.js';
import { tokenIds } from './tokenizer.js';

const request = (operation: RoutingRequest['operation'], body: Record<string, unknown>): RoutingRequest => ({
  requestId: 'r',
  model: 'm',
  operation,
  body,
  headers: {},
});

describe('prompt text', () => {
  it('renders chat messages so that a shared first message is a shared prefix', () => {
    const one = promptOf(
      request('chat', {
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hi' },
        ],
      }),
    );
    assert.deepEqual(one, {
      text: '<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n',
    });
  });

  it('flattens content parts to their text, and keeps non-text parts distinguishable', () => {
    const prompt = promptOf(
      request('chat', {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is in ' },
              { type: 'image_url', image_url: { url: 'https://x/cat.png' } },
            ],
          },
        ],
      }),
    );
    assert.ok('text' in prompt);
    assert.match(prompt.text, /What is in \{"type":"image_url".*cat\.png/);
  });

  it('takes completion prompts as text or token ids, and the first of a batch', () => {
    assert.deepEqual(promptOf(request('completion', { prompt: 'Once' })), { text: 'Once' });
    assert.deepEqual(promptOf(request('completion', { prompt: [1, 2, 3] })), { ids: [1, 2, 3] });
    assert.deepEqual(promptOf(request('completion', { prompt: ['a', 'b'] })), { text: 'a' });
    assert.deepEqual(promptOf(request('embeddings', { input: [[4, 5]] })), { ids: [4, 5] });
  });
});

describe('router tokenizer', () => {
  it('is deterministic and about a BPE token per 4-6 characters of English', () => {
    const text = 'The quick brown fox jumps over the lazy dog, again and again, in 2024.';
    assert.deepEqual(tokenIds(text), tokenIds(text));
    const perToken = text.length / tokenIds(text).length;
    assert.ok(perToken > 2.5 && perToken < 6, `${perToken} characters per token`);
  });

  it('gives a shared text prefix a shared id prefix', () => {
    const a = tokenIds('You are a helpful assistant. Tell me about trains.');
    const b = tokenIds('You are a helpful assistant. Tell me about boats.');
    let same = 0;
    while (a[same] === b[same]) same++;
    assert.ok(same >= 8, `${same} shared tokens`);
  });

  it('keeps special tokens whole', () => {
    assert.equal(tokenIds('<|im_start|>').length, 1);
  });
});
