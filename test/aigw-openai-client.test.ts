/**
 * The official `openai` npm client, unchanged, against the gateway in env auto-config mode:
 * chat (plain and streamed), completions and embeddings reach a real upstream and come back
 * as the SDK expects.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { FakeUpstream, reply } from './helpers/fake-upstream.js';
import { type RunningGateway, startGateway } from './helpers/gateway-process.js';

const EMBEDDING = [0.5, -0.25, 0.125];

describe('the openai npm client through the gateway', () => {
  let upstream: FakeUpstream;
  let gateway: RunningGateway;
  let client: OpenAI;

  before(async () => {
    upstream = await FakeUpstream.start(async (req, res) => {
      const body = req.json ?? {};
      if (req.path === '/v1/chat/completions' && body['stream'] === true) {
        await reply.chatStream(res, ['Hel', 'lo', '!']);
      } else if (req.path === '/v1/chat/completions') {
        reply.json(res, 200, reply.chatCompletion('Hello from upstream', req));
      } else if (req.path === '/v1/completions') {
        reply.json(res, 200, {
          id: 'cmpl-1',
          object: 'text_completion',
          created: 1_700_000_000,
          model: body['model'],
          choices: [{ index: 0, text: ' upon a time', finish_reason: 'stop', logprobs: null }],
          usage: { prompt_tokens: 2, completion_tokens: 4, total_tokens: 6 },
        });
      } else if (req.path === '/v1/embeddings') {
        // The SDK asks for base64 by default and decodes it back into floats.
        const embedding =
          body['encoding_format'] === 'base64'
            ? Buffer.from(new Float32Array(EMBEDDING).buffer).toString('base64')
            : EMBEDDING;
        reply.json(res, 200, {
          object: 'list',
          data: [{ object: 'embedding', index: 0, embedding }],
          model: body['model'],
          usage: { prompt_tokens: 2, total_tokens: 2 },
        });
      } else {
        reply.json(res, 404, { error: { message: `no ${req.path}` } });
      }
    });
    gateway = await startGateway([], {
      OPENAI_API_KEY: 'sk-gateway-key',
      OPENAI_BASE_URL: `http://127.0.0.1:${upstream.port}/v1`,
    });
    client = new OpenAI({
      apiKey: 'sk-client-key',
      baseURL: `${gateway.url}/v1`,
      maxRetries: 0,
      timeout: 10_000,
    });
  });

  after(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  it('chat.completions.create', async () => {
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Say hello' }],
    });
    assert.equal(completion.choices[0]!.message.content, 'Hello from upstream');
    assert.equal(completion.usage?.total_tokens, 5);
    const seen = upstream.requests.at(-1)!;
    assert.equal(seen.headers['authorization'], 'Bearer sk-gateway-key');
    assert.deepEqual(seen.json?.['messages'], [{ role: 'user', content: 'Say hello' }]);
  });

  it('chat.completions.create with stream: true', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Say hello' }],
      stream: true,
    });
    const parts: string[] = [];
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      parts.push(chunk.choices[0]?.delta.content ?? '');
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    assert.equal(parts.join(''), 'Hello!');
    assert.equal(finish, 'stop');
  });

  it('completions.create', async () => {
    const completion = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Once' });
    assert.equal(completion.choices[0]!.text, ' upon a time');
    assert.equal(upstream.requests.at(-1)!.path, '/v1/completions');
  });

  it('embeddings.create', async () => {
    const result = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'hello' });
    assert.deepEqual(result.data[0]!.embedding, EMBEDDING);
    assert.equal(upstream.requests.at(-1)!.path, '/v1/embeddings');
  });

  it('models.list', async () => {
    // The upstream has no model list (404), so the gateway answers an empty one.
    const page = await client.models.list();
    assert.deepEqual(page.data, []);
  });
});
