import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ContentTemplate, type StreamKind } from './content-template.js';

type Json = Record<string, unknown>;

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
