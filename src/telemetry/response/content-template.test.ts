import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ContentTemplate } from './content-template.js';
import type { Json } from './json.js';
import { ResponseCollector } from './response-collector.js';
import { StreamFold, type StreamKind } from './stream-fold.js';

const piece = (content: unknown, extra: Json = {}) => ({
  id: 'c1',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'm',
  choices: [{ index: 0, delta: { content }, finish_reason: null }],
  ...extra,
});

function template(kind: StreamKind, chunk: Json, text = JSON.stringify(chunk)) {
  return ContentTemplate.from(kind, text, chunk);
}

describe('ContentTemplate', () => {
  it('reads the piece of a chunk that differs only in its piece, decoding escapes', () => {
    const t = template('chat', piece('The'))!;
    assert.equal(t.choiceIndex, 0);
    for (const text of [' quick', '', 'Grüße 🦊', 'say "hi"\n', 'back\\slash', '\u0001']) {
      assert.equal(t.match(JSON.stringify(piece(text))), text, JSON.stringify(text));
    }
    // Escapes the upstream wrote its own way decode the same.
    assert.equal(t.match(JSON.stringify(piece('x')).replace('"x"', '"\\u00e9t\\u00e9"')), 'été');
  });

  it('refuses a chunk that is not the same text around a single JSON string', () => {
    const t = template('chat', piece('The'))!;
    for (const text of [
      JSON.stringify(piece('a', { usage: { total_tokens: 1 } })),
      JSON.stringify({ ...piece('a'), created: 2 }),
      JSON.stringify(piece('a')).replace('"a"', '"a","role":"x"'),
      JSON.stringify(piece('a')).replace('"a"', '"a\\"'),
      JSON.stringify(piece(7)),
      'garbage',
    ]) {
      assert.equal(t.match(text), undefined, text);
    }
  });

  it('is built only from plain pieces', () => {
    assert.equal(template('chat', piece('a', { usage: { total_tokens: 1 } })), undefined);
    assert.equal(
      template('chat', {
        ...piece('a'),
        choices: [{ index: 0, delta: { role: 'assistant', content: 'a' } }],
      }),
      undefined,
    );
    assert.equal(
      template('chat', {
        ...piece('a'),
        choices: [{ index: 0, delta: { content: 'a' }, finish_reason: 'stop' }],
      }),
      undefined,
    );
    assert.equal(
      template('chat', {
        ...piece('a'),
        choices: [
          { index: 0, delta: { content: 'a' } },
          { index: 1, delta: { content: 'b' } },
        ],
      }),
      undefined,
    );
    assert.equal(template('chat', piece(null)), undefined);
    // The key must appear once in the text.
    assert.equal(template('chat', piece('a', { note: { content: 'x' } })), undefined);
    // Spaces around the colon, as Python's json.dumps writes them.
    const spaced = JSON.stringify(piece('a'), null, 1);
    assert.equal(template('chat', piece('a'), spaced)?.match(spaced.replace('"a"', '"b"')), 'b');
    const text = { id: 't', choices: [{ index: 2, text: 'x', logprobs: null, finish_reason: null }] };
    assert.equal(template('completion', text)?.choiceIndex, 2);
  });
});

/** The folded stream when every chunk is parsed: the reference the collector must equal. */
function parsedFold(kind: StreamKind, chunks: readonly Json[]) {
  const fold = new StreamFold(kind, true);
  for (const chunk of chunks) fold.add(chunk);
  return { json: fold.result(), usage: fold.usage, model: fold.model };
}

function collected(kind: StreamKind, chunks: readonly Json[], split: number) {
  const c = new ResponseCollector({
    operation: kind,
    keepContent: true,
    maxBodyBytes: 1 << 20,
    onFirstToken: () => {},
    now: () => 0,
  });
  c.onResponse(200, { 'content-type': 'text/event-stream' });
  const bytes = Buffer.from(
    `${chunks.map((x) => `data: ${JSON.stringify(x)}\n\n`).join('')}data: [DONE]\n\n`,
  );
  for (let i = 0; i < bytes.length; i += split) c.onChunk(bytes.subarray(i, i + split));
  c.onEnd({ outcome: 'complete', bytes: bytes.length });
  const facts = c.facts()!;
  return { json: facts.json, usage: facts.usage, model: facts.model };
}

describe('a stream folded with templates equals one folded by parsing every chunk', () => {
  const words = ['The', ' quick', ' "brown"', ' fox\n', ' 🦊', '', ' jumps'];
  const streams: Record<string, [StreamKind, Json[]]> = {
    'plain pieces, role first, usage last': [
      'chat',
      [
        { ...piece(''), choices: [{ index: 0, delta: { role: 'assistant', content: '' } }] },
        ...words.map((w) => piece(w)),
        { ...piece(''), choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
        { ...piece(''), choices: [], usage: { prompt_tokens: 3, completion_tokens: 7, total_tokens: 10 } },
      ],
    ],
    'usage in every chunk': ['chat', words.map((w, i) => piece(w, { usage: { completion_tokens: i + 1 } }))],
    'a field that changes mid-stream': [
      'chat',
      words.map((w, i) => (i === 3 ? { ...piece(w), system_fingerprint: 'fp' } : piece(w))),
    ],
    'a per-chunk field (obfuscation)': [
      'chat',
      words.map((w, i) => piece(w, { obfuscation: 'x'.repeat(i) })),
    ],
    'two choices, reasoning and tool calls': [
      'chat',
      [
        ...words.map((w) => piece(w)),
        { ...piece(''), choices: [{ index: 1, delta: { content: 'second' }, finish_reason: null }] },
        ...words.map((w) => piece(w)),
        { ...piece(''), choices: [{ index: 0, delta: { reasoning_content: 'hmm' }, finish_reason: null }] },
        {
          ...piece(''),
          choices: [
            {
              index: 0,
              delta: { tool_calls: [{ index: 0, id: 't1', function: { name: 'f', arguments: '{}' } }] },
            },
          ],
        },
        ...words.map((w) => piece(w)),
        { ...piece(''), choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] },
      ],
    ],
    completions: [
      'completion',
      words.map((w) => ({
        id: 't',
        object: 'text_completion',
        model: 'm',
        choices: [{ index: 0, text: w, logprobs: null, finish_reason: null }],
      })),
    ],
  };
  for (const [name, [kind, chunks]] of Object.entries(streams)) {
    it(name, () => {
      const expected = parsedFold(kind, chunks);
      for (const split of [7, 64, 100_000])
        assert.deepEqual(collected(kind, chunks, split), expected, `split ${split}`);
    });
  }
});
