/** Each API route through the real gateway process to a real upstream. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeUpstream, reply, writeEndpointsFile } from './helpers/fake-upstream.js';
import { type RunningGateway, startGateway } from './helpers/gateway-process.js';
import { rawRequest } from './helpers/http.js';

describe('API routes', () => {
  let upstream: FakeUpstream;
  let gateway: RunningGateway;

  before(async () => {
    upstream = await FakeUpstream.start((req, res) => {
      if (req.path === '/v1/embeddings') {
        reply.json(res, 200, {
          object: 'list',
          data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2] }],
          model: req.json?.['model'],
          usage: { prompt_tokens: 2, total_tokens: 2 },
          unknown_field: 'kept',
        });
      } else if (req.path === '/v1/completions') {
        reply.json(res, 200, {
          object: 'text_completion',
          choices: [{ index: 0, text: 'done', finish_reason: 'stop' }],
        });
      } else {
        reply.json(res, 200, reply.chatCompletion('hi there', req), { 'x-upstream': 'yes' });
      }
    });
    const file = writeEndpointsFile({ 'test-model': [upstream.address], 'other/model': [upstream.address] });
    gateway = await startGateway(['--endpoints-config', file]);
  });

  after(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  it('forwards a chat completion unchanged, unknown fields included, and returns the answer', async () => {
    const body = {
      model: 'test-model',
      messages: [{ role: 'user', content: 'hello' }],
      my_extension: { a: 1 },
    };
    const res = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.equal(res.status, 200);
    const json = (await res.json()) as { choices: { message: { content: string } }[] };
    assert.equal(json.choices[0]!.message.content, 'hi there');
    const seen = upstream.requests.at(-1)!;
    assert.equal(seen.path, '/v1/chat/completions');
    assert.deepEqual(seen.json, body);
    assert.equal(res.headers.get('x-upstream'), 'yes');
  });

  it('sets x-request-id, target-pod and routing-strategy on the response', async () => {
    const res = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'x-request-id': 'req-abc-123' },
      body: JSON.stringify({ model: 'test-model', messages: [{ role: 'user', content: 'x' }] }),
    });
    await res.arrayBuffer();
    assert.equal(res.headers.get('x-request-id'), 'req-abc-123');
    assert.equal(res.headers.get('target-pod'), upstream.address);
    assert.equal(res.headers.get('routing-strategy'), 'random');
    assert.equal(upstream.requests.at(-1)!.headers['x-request-id'], 'req-abc-123');
  });

  it('generates a request id when the client sends none', async () => {
    const res = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'test-model', messages: [{ role: 'user', content: 'x' }] }),
    });
    await res.arrayBuffer();
    assert.match(res.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
  });

  it('forwards completions and embeddings to their own paths', async () => {
    const completion = await fetch(`${gateway.url}/v1/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'other/model', prompt: 'once upon' }),
    });
    assert.equal(completion.status, 200);
    assert.equal(((await completion.json()) as { choices: { text: string }[] }).choices[0]!.text, 'done');
    assert.equal(upstream.requests.at(-1)!.path, '/v1/completions');

    const embeddings = await fetch(`${gateway.url}/v1/embeddings`, {
      method: 'POST',
      body: JSON.stringify({ model: 'test-model', input: 'abc' }),
    });
    assert.equal(embeddings.status, 200);
    const json = (await embeddings.json()) as { unknown_field: string; data: { embedding: number[] }[] };
    assert.deepEqual(json.data[0]!.embedding, [0.1, 0.2]);
    assert.equal(json.unknown_field, 'kept');
    assert.equal(upstream.requests.at(-1)!.path, '/v1/embeddings');
  });

  it('lists the configured models in the OpenAI list shape', async () => {
    const res = await fetch(`${gateway.url}/v1/models`);
    assert.equal(res.status, 200);
    const json = (await res.json()) as { object: string; data: { id: string; object: string }[] };
    assert.equal(json.object, 'list');
    assert.deepEqual(
      json.data.map((m) => m.id),
      ['test-model', 'other/model'],
    );
    assert.ok(json.data.every((m) => m.object === 'model'));
  });

  it('appends the client to x-forwarded-for and strips hop-by-hop headers', async () => {
    const res = await rawRequest(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        'x-forwarded-for': '203.0.113.9',
        connection: 'keep-alive, x-secret-hop',
        'x-secret-hop': 'no',
        'x-kept': 'yes',
      },
      body: JSON.stringify({ model: 'test-model', messages: [{ role: 'user', content: 'x' }] }),
    });
    assert.equal(res.status, 200);
    const seen = upstream.requests.at(-1)!.headers;
    assert.equal(seen['x-forwarded-for'], '203.0.113.9, 127.0.0.1');
    assert.equal(seen['x-secret-hop'], undefined);
    assert.equal(seen['x-kept'], 'yes');
  });
});
