import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { requestFor, UNKNOWN_MODEL } from './traffic-client.js';
import type { Job, JobKind } from './traffic-mix.js';

const target = { url: 'http://127.0.0.1:1', model: 'small', pdModel: 'big' };
const history = [
  { role: 'system' as const, content: 'context' },
  { role: 'user' as const, content: 'question?' },
];
function job(kind: JobKind, stream = false): Job {
  return {
    id: 1,
    kind,
    tenant: 'tenant-a',
    stream,
    flow: { id: 'f', startMs: 0, turns: [{ user: 'question?', maxTokens: 9, thinkMs: 0 }], session: 's-1' },
  };
}

describe('requestFor', () => {
  it('writes each kind as a client would', () => {
    const chat = requestFor(job('shared-prefix', true), target, history, 9);
    assert.equal(chat.path, '/v1/chat/completions');
    assert.deepEqual(chat.body, {
      model: 'small',
      messages: history,
      max_tokens: 9,
      stream: true,
      stream_options: { include_usage: true },
    });
    assert.equal(chat.headers['x-tenant-id'], 'tenant-a');
    assert.equal(chat.headers['x-session-id'], undefined, 'single turns carry no session');

    const turn = requestFor(job('conversation'), target, history, 9);
    assert.equal(turn.headers['x-session-id'], 's-1');
    assert.equal((turn.body as { stream?: boolean }).stream, undefined);

    assert.equal((requestFor(job('pd-chat'), target, history, 9).body as { model: string }).model, 'big');
    assert.deepEqual(requestFor(job('embeddings'), target, history, 9), {
      path: '/v1/embeddings',
      headers: chat.headers,
      stream: false,
      body: { model: 'small', input: 'question?' },
    });
    const completion = requestFor(job('completion'), target, history, 9);
    assert.equal(completion.path, '/v1/completions');
    assert.deepEqual(completion.body, { model: 'small', prompt: 'question?', max_tokens: 9 });
    assert.equal(
      (requestFor(job('unknown-model'), target, history, 9).body as { model: string }).model,
      UNKNOWN_MODEL,
    );
    assert.equal(
      (requestFor(job('bad-request'), target, history, 9).body as { messages: unknown }).messages,
      'question?',
    );
  });

  it('sends the prefill/decode share to the main model when the target has no second one', () => {
    const body = requestFor(job('pd-chat'), { url: 'x', model: 'only' }, history, 9).body as {
      model: string;
    };
    assert.equal(body.model, 'only');
  });
});
