import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StreamFold } from './stream-fold.js';

const base = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'm-2025' };
const chatChunks: Record<string, unknown>[] = [
  { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] },
  { ...base, choices: [{ index: 0, delta: { content: 'Hel' }, finish_reason: null }] },
  { ...base, choices: [{ index: 0, delta: { content: 'lo' }, finish_reason: null }] },
  {
    ...base,
    choices: [
      {
        index: 0,
        delta: {
          tool_calls: [
            {
              index: 0,
              id: 'call_1',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"ci' },
            },
          ],
        },
      },
    ],
  },
  {
    ...base,
    choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: 'ty":"Oslo"}' } }] } }],
  },
  { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] },
  {
    ...base,
    choices: [],
    usage: {
      prompt_tokens: 9,
      completion_tokens: 7,
      total_tokens: 16,
      prompt_tokens_details: { cached_tokens: 4 },
      completion_tokens_details: { reasoning_tokens: 2 },
    },
  },
];

describe('StreamFold', () => {
  it('folds chat chunks into the non-streaming shape: content, tool calls, finish reason, usage', () => {
    const fold = new StreamFold('chat', true);
    const firsts = chatChunks.map((c) => fold.add(c));
    assert.deepEqual(firsts, [false, true, false, false, false, false, false]);
    assert.deepEqual(fold.result(), {
      ...base,
      choices: [
        {
          index: 0,
          finish_reason: 'tool_calls',
          message: {
            role: 'assistant',
            content: 'Hello',
            tool_calls: [
              {
                id: 'call_1',
                type: 'function',
                function: { name: 'get_weather', arguments: '{"city":"Oslo"}' },
              },
            ],
          },
        },
      ],
      usage: chatChunks.at(-1)!['usage'],
    });
    assert.deepEqual(fold.usage, { input: 9, output: 7, total: 16, cachedInput: 4, reasoning: 2 });
    assert.equal(fold.model, 'm-2025');
  });

  it('counts a tool call or reasoning text as the first token', () => {
    const tool = new StreamFold('chat', true);
    assert.equal(tool.add(chatChunks[0]!), false);
    assert.equal(tool.add(chatChunks[3]!), true);
    const reasoning = new StreamFold('chat', true);
    assert.equal(reasoning.add({ choices: [{ index: 0, delta: { reasoning_content: 'hmm' } }] }), true);
    assert.deepEqual(reasoning.result()['choices'], [
      {
        index: 0,
        finish_reason: 'stop',
        message: { role: 'assistant', content: '', reasoning_content: 'hmm' },
      },
    ]);
  });

  it('keeps only model and usage when content is not needed', () => {
    const fold = new StreamFold('chat', false);
    for (const c of chatChunks) fold.add(c);
    const message = (fold.result()['choices'] as { message: Record<string, unknown> }[])[0]!.message;
    assert.deepEqual(message, { role: 'assistant', content: '' });
    assert.deepEqual(fold.usage, { input: 9, output: 7, total: 16, cachedInput: 4, reasoning: 2 });
  });

  it('folds text completions choice by choice', () => {
    const fold = new StreamFold('completion', true);
    fold.add({ id: 'cmpl-1', object: 'text_completion', model: 'm', choices: [{ index: 1, text: 'B' }] });
    fold.add({
      id: 'cmpl-1',
      choices: [
        { index: 0, text: 'A' },
        { index: 1, text: 'b', finish_reason: 'length' },
      ],
    });
    fold.add({ id: 'cmpl-1', choices: [{ index: 0, text: 'a', finish_reason: 'stop' }], usage: null });
    assert.deepEqual(fold.result(), {
      id: 'cmpl-1',
      object: 'text_completion',
      model: 'm',
      choices: [
        { index: 0, text: 'Aa', finish_reason: 'stop' },
        { index: 1, text: 'Bb', finish_reason: 'length' },
      ],
    });
    assert.equal(fold.usage, undefined);
  });
});
