import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SseParser } from './sse-parser.js';

function parse(chunks: readonly (string | Uint8Array)[]): [string, string | undefined][] {
  const events: [string, string | undefined][] = [];
  const parser = new SseParser((data, event) => events.push([data, event]));
  for (const c of chunks) parser.push(typeof c === 'string' ? Buffer.from(c) : c);
  parser.end();
  return events;
}

const STREAM =
  'data: {"a":1}\n\n: keep-alive comment\n\nevent: error\ndata: {"e":"x"}\n\ndata: line1\ndata: line2\n\ndata:[DONE]\n\n';
const EXPECTED: [string, string | undefined][] = [
  ['{"a":1}', undefined],
  ['{"e":"x"}', 'error'],
  ['line1\nline2', undefined],
  ['[DONE]', undefined],
];

describe('SseParser', () => {
  it('parses data, event fields, comments and multi-line data', () => {
    assert.deepEqual(parse([STREAM]), EXPECTED);
  });

  it('gives the same events however the bytes are split', () => {
    const bytes = Buffer.from(STREAM);
    for (let cut = 1; cut < bytes.length; cut++) {
      assert.deepEqual(parse([bytes.subarray(0, cut), bytes.subarray(cut)]), EXPECTED, `cut at ${cut}`);
    }
    assert.deepEqual(parse([...bytes].map((b) => Uint8Array.of(b))), EXPECTED);
  });

  it('accepts CRLF and CR line endings, even when CRLF is split across chunks', () => {
    assert.deepEqual(parse(['data: a\r', '\n\r\ndata: b\r\r']), [
      ['a', undefined],
      ['b', undefined],
    ]);
  });

  it('decodes UTF-8 characters split across chunks', () => {
    const bytes = Buffer.from('data: héllo ✓\n\n');
    const events = parse([bytes.subarray(0, 8), bytes.subarray(8, 15), bytes.subarray(15)]);
    assert.deepEqual(events, [['héllo ✓', undefined]]);
  });

  it('drops a last event that never got its blank line', () => {
    assert.deepEqual(parse(['data: complete\n\ndata: cut off']), [['complete', undefined]]);
  });
});
