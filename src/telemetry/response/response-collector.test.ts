import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ResponseCollector } from './response-collector.js';

function stream(chunks: readonly Record<string, unknown>[]): string {
  return `${chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join('')}data: [DONE]\n\n`;
}

function collector(keepContent: boolean, maxBodyBytes = 1 << 20) {
  let clock = 100;
  const firstTokens: number[] = [];
  const c = new ResponseCollector({
    operation: 'chat',
    keepContent,
    maxBodyBytes,
    onFirstToken: (at) => firstTokens.push(at),
    now: () => clock++,
  });
  return { c, firstTokens };
}

const CHUNKS = [
  { model: 'm-1', choices: [{ index: 0, delta: { role: 'assistant' } }] },
  { model: 'm-1', choices: [{ index: 0, delta: { content: 'a' } }] },
  { model: 'm-1', choices: [{ index: 0, delta: { content: 'b' }, finish_reason: 'stop' }] },
  { model: 'm-1', choices: [], usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } },
];

describe('ResponseCollector', () => {
  for (const keepContent of [true, false]) {
    it(`reads model, usage and the first token of a stream (keepContent=${keepContent})`, () => {
      const { c, firstTokens } = collector(keepContent);
      c.onResponse(200, { 'content-type': 'text/event-stream; charset=utf-8' });
      const bytes = Buffer.from(stream(CHUNKS));
      for (let i = 0; i < bytes.length; i += 7) c.onChunk(bytes.subarray(i, i + 7));
      c.onEnd({ outcome: 'complete', bytes: bytes.length });
      const facts = c.facts()!;
      assert.equal(facts.streamed, true);
      assert.equal(facts.model, 'm-1');
      assert.deepEqual(facts.usage, { input: 5, output: 2, total: 7 });
      assert.equal(firstTokens.length, 1);
      assert.equal(facts.firstTokenAt, firstTokens[0]);
      if (keepContent) {
        const message = (facts.json!['choices'] as { message: { content: string } }[])[0]!.message;
        assert.equal(message.content, 'ab');
      } else {
        assert.equal(facts.json, undefined);
      }
    });
  }

  it('parses a JSON body once at the end', () => {
    const { c, firstTokens } = collector(true);
    c.onResponse(200, { 'content-type': 'application/json' });
    const body = JSON.stringify({ model: 'm-2', usage: { prompt_tokens: 1, completion_tokens: 1 } });
    c.onChunk(Buffer.from(body.slice(0, 10)));
    c.onChunk(Buffer.from(body.slice(10)));
    c.onEnd({ outcome: 'complete', bytes: body.length });
    const facts = c.facts()!;
    assert.deepEqual(
      {
        streamed: facts.streamed,
        model: facts.model,
        usage: facts.usage,
        text: facts.text,
        first: firstTokens.length,
      },
      { streamed: false, model: 'm-2', usage: { input: 1, output: 1 }, text: body, first: 0 },
    );
  });

  it('gives up on bodies over the limit instead of holding them', () => {
    const { c } = collector(true, 16);
    c.onResponse(200, { 'content-type': 'application/json' });
    c.onChunk(Buffer.from('{"model":"m","usage":'));
    c.onChunk(Buffer.from('{"prompt_tokens":1}}'));
    c.onEnd({ outcome: 'complete', bytes: 41 });
    const facts = c.facts()!;
    assert.equal(facts.truncated, true);
    assert.equal(facts.usage, undefined);
    assert.equal(facts.text, undefined);
  });

  it('notes an error event inside a stream and keeps an error body', () => {
    const { c } = collector(false);
    c.onResponse(200, { 'content-type': 'text/event-stream' });
    c.onChunk(Buffer.from('event: error\ndata: {"error":{"message":"boom"}}\n\n'));
    c.onEnd({ outcome: 'complete', bytes: 10 });
    assert.equal(c.facts()!.streamError, '{"error":{"message":"boom"}}');

    const e = collector(false).c;
    e.onResponse(404, { 'content-type': 'application/json' });
    e.onChunk(Buffer.from('{"error":{"message":"no such model"}}'));
    e.onEnd({ outcome: 'complete', bytes: 10 });
    assert.equal(e.facts()!.text, '{"error":{"message":"no such model"}}');
  });

  it('has no facts when no upstream answered', () => {
    assert.equal(collector(true).c.facts(), undefined);
  });
});
