import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GatewayError } from './errors.js';
import { MAX_JSON_DEPTH, parseInferenceRequest } from './inference-request.js';

const chat = (body: unknown) => Buffer.from(JSON.stringify(body));

function rejects(op: 'chat' | 'completion' | 'embeddings', raw: Buffer, code: string, param?: string) {
  assert.throws(
    () => parseInferenceRequest(op, raw),
    (err: unknown) => {
      assert.ok(err instanceof GatewayError);
      assert.equal(err.status, 400);
      assert.equal(err.code, code);
      if (param) assert.equal(err.param, param);
      return true;
    },
  );
}

describe('parseInferenceRequest', () => {
  it('keeps the raw bytes and reads model and stream', () => {
    const raw = chat({ model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }], extra: 1 });
    const req = parseInferenceRequest('chat', raw);
    assert.equal(req.model, 'm');
    assert.equal(req.stream, true);
    assert.equal(req.raw, raw);
    assert.equal(req.body['extra'], 1);
  });

  it('rejects what the gateway cannot route, naming the parameter', () => {
    rejects('chat', Buffer.from('{"model":'), 'invalid_json');
    rejects('chat', Buffer.from(''), 'invalid_json');
    rejects('chat', Buffer.from('[1,2]'), 'invalid_json');
    rejects('chat', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), 'invalid_json');
    rejects('chat', Buffer.from('['.repeat(200_000)), 'invalid_json');
    rejects('chat', chat({ messages: [{ role: 'user' }] }), 'missing_required_parameter', 'model');
    rejects('chat', chat({ model: 42, messages: [{ role: 'user' }] }), 'invalid_value', 'model');
    rejects('chat', chat({ model: '', messages: [{ role: 'user' }] }), 'invalid_value', 'model');
    rejects(
      'chat',
      chat({ model: 'm', stream: 'yes', messages: [{ role: 'user' }] }),
      'invalid_value',
      'stream',
    );
    rejects('chat', chat({ model: 'm' }), 'missing_required_parameter', 'messages');
    rejects('chat', chat({ model: 'm', messages: [] }), 'invalid_value', 'messages');
    rejects('chat', chat({ model: 'm', messages: ['hi'] }), 'invalid_value', 'messages[0]');
    rejects('chat', chat({ model: 'm', messages: [{ content: 'hi' }] }), 'invalid_value', 'messages[0].role');
    rejects('completion', chat({ model: 'm', prompt: { text: 'x' } }), 'invalid_value', 'prompt');
    rejects('embeddings', chat({ model: 'm' }), 'missing_required_parameter', 'input');
    rejects('embeddings', chat({ model: 'm', input: 'x', stream: true }), 'invalid_value', 'stream');
  });

  it(`refuses bodies nested more than ${MAX_JSON_DEPTH} levels deep, and accepts that depth`, () => {
    // The body is level 1; `extra` adds `depth` more.
    const body = (depth: number, open = '[', close = ']') =>
      Buffer.from(
        `{"model":"m","messages":[{"role":"user"}],"extra":${open.repeat(depth)}1${close.repeat(depth)}}`,
      );
    assert.doesNotThrow(() => parseInferenceRequest('chat', body(MAX_JSON_DEPTH - 1)));
    rejects('chat', body(MAX_JSON_DEPTH), 'invalid_json');
    rejects('chat', body(50_000), 'invalid_json');
    rejects('chat', body(5_000, '{"a":', '}'), 'invalid_json');
  });

  it('never quotes the body in a JSON error', () => {
    for (const text of ['my secret prompt', '{"a": secretword}', '[1,2,,secret]', 'undefined']) {
      assert.throws(
        () => parseInferenceRequest('chat', Buffer.from(text)),
        (err: unknown) => {
          assert.ok(err instanceof GatewayError);
          assert.match(err.message, /not valid JSON|Unexpected/);
          assert.ok(!/secret|undefined"/.test(err.message), err.message);
          return true;
        },
      );
    }
  });

  it('accepts every prompt form OpenAI accepts', () => {
    for (const prompt of ['text', ['a', 'b'], [1, 2, 3], [[1, 2], [3]]]) {
      assert.doesNotThrow(() => parseInferenceRequest('completion', chat({ model: 'm', prompt })));
      assert.doesNotThrow(() => parseInferenceRequest('embeddings', chat({ model: 'm', input: prompt })));
    }
  });
});
