/** A stream folded through content templates equals the same stream folded by parsing every chunk. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StreamKind } from '../../api/content-template.js';
import type { Json } from './json.js';
import { ResponseCollector } from './response-collector.js';
import { StreamFold } from './stream-fold.js';

const piece = (content: unknown, extra: Json = {}) => ({
  id: 'c1',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'm',
  choices: [{ index: 0, delta: { content }, finish_reason: null }],
  ...extra,
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
