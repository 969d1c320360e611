/**
 * The simulator's OpenAI-compatible API, checked with the official `openai` client
 * against a real `switchyard sim` process.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { answerSeed, generateAnswer } from '../src/sim/engine/answer.js';
import { renderChat } from '../src/sim/engine/chat-template.js';
import { encode } from '../src/sim/engine/tokenizer.js';
import { rawRequest } from './helpers/http.js';
import { type RunningSim, startSim } from './helpers/sim-process.js';

const MODEL = 'sim/test-model';
const KEY = 'sk-sim-test';

describe('simulator API (official openai client)', () => {
  let sim: RunningSim;
  let client: OpenAI;

  before(async () => {
    sim = await startSim([
      '--model',
      MODEL,
      '--model',
      'alias-model',
      '--api-key',
      KEY,
      '--time-scale',
      '0.001',
      '--max-model-len',
      '4096',
      '--seed',
      '42',
    ]);
    client = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: KEY, maxRetries: 0 });
  });

  after(async () => {
    await sim?.stop();
  });

  const messages = [
    { role: 'system' as const, content: 'You are a helpful assistant.' },
    { role: 'user' as const, content: 'Describe a railway switchyard.' },
  ];
  const promptIds = encode(renderChat(messages));

  it('answers a chat completion in the OpenAI shape, deterministically', async () => {
    const res = await client.chat.completions.create({ model: MODEL, messages, max_tokens: 7 });
    assert.equal(res.object, 'chat.completion');
    assert.match(res.id, /^chatcmpl-/);
    assert.equal(res.model, MODEL);
    assert.equal(typeof res.created, 'number');
    assert.equal(res.choices.length, 1);
    const [choice] = res.choices;
    assert.equal(choice!.index, 0);
    assert.equal(choice!.finish_reason, 'length');
    assert.equal(choice!.message.role, 'assistant');
    assert.equal(
      choice!.message.content,
      generateAnswer(answerSeed(MODEL, 42), promptIds, 7).pieces.join(''),
    );
    assert.equal(res.usage?.prompt_tokens, promptIds.length);
    assert.equal(res.usage?.completion_tokens, 7);
    assert.equal(res.usage?.total_tokens, promptIds.length + 7);
    assert.equal(typeof res.usage?.prompt_tokens_details?.cached_tokens, 'number');
    const again = await client.chat.completions.create({ model: MODEL, messages, max_completion_tokens: 7 });
    assert.equal(again.choices[0]!.message.content, choice!.message.content);
  });

  it('picks a natural length and stops when max_tokens is not set', async () => {
    const res = await client.chat.completions.create({
      model: 'alias-model',
      messages: [{ role: 'user', content: 'hi' }],
    });
    assert.equal(res.choices[0]!.finish_reason, 'stop');
    assert.equal(res.model, 'alias-model');
    assert.ok(res.usage!.completion_tokens >= 16 && res.usage!.completion_tokens <= 128);
    assert.match(res.choices[0]!.message.content!, /\.$/);
  });

  it('streams a chat completion chunk by chunk, with a usage chunk when asked', async () => {
    const full = await client.chat.completions.create({ model: MODEL, messages, max_tokens: 5 });
    const stream = await client.chat.completions.create({
      model: MODEL,
      messages,
      max_tokens: 5,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    // role chunk, 5 content chunks, the finishing chunk, the usage chunk
    assert.equal(chunks.length, 8);
    assert.ok(chunks.every((c) => c.object === 'chat.completion.chunk' && c.id === chunks[0]!.id));
    assert.deepEqual(chunks[0]!.choices[0]!.delta, { role: 'assistant', content: '' });
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    assert.equal(text, full.choices[0]!.message.content);
    assert.equal(chunks[6]!.choices[0]!.finish_reason, 'length');
    assert.ok(chunks.slice(0, 7).every((c) => c.usage === null));
    const last = chunks[7]!;
    assert.deepEqual(last.choices, []);
    assert.equal(last.usage?.completion_tokens, 5);
    assert.equal(last.usage?.prompt_tokens, promptIds.length);
  });

  it('streams without usage fields unless include_usage is set', async () => {
    const stream = await client.chat.completions.create({
      model: MODEL,
      messages,
      max_tokens: 2,
      stream: true,
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    assert.equal(chunks.length, 4);
    assert.ok(chunks.every((c) => !('usage' in c)));
  });

  it('answers legacy completions, from text or token ids, streamed or not', async () => {
    const res = await client.completions.create({ model: MODEL, prompt: 'Once upon a time', max_tokens: 4 });
    assert.equal(res.object, 'text_completion');
    assert.match(res.id, /^cmpl-/);
    assert.equal(
      res.choices[0]!.text,
      generateAnswer(answerSeed(MODEL, 42), encode('Once upon a time'), 4).pieces.join(''),
    );
    assert.equal(res.choices[0]!.finish_reason, 'length');
    assert.equal(res.usage?.prompt_tokens, encode('Once upon a time').length);
    const fromIds = await client.completions.create({
      model: MODEL,
      prompt: encode('Once upon a time'),
      max_tokens: 4,
    });
    assert.equal(fromIds.choices[0]!.text, res.choices[0]!.text);

    const stream = await client.completions.create({
      model: MODEL,
      prompt: 'Once upon a time',
      max_tokens: 4,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.Completion[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    assert.equal(chunks.map((c) => c.choices[0]?.text ?? '').join(''), res.choices[0]!.text);
    assert.equal(chunks.at(-2)!.choices[0]!.finish_reason, 'length');
    assert.equal(chunks.at(-1)!.usage?.completion_tokens, 4);
  });

  it('embeds deterministically, honouring dimensions and both encodings', async () => {
    const floats = await client.embeddings.create({
      model: MODEL,
      input: ['first text', 'second text'],
      encoding_format: 'float',
    });
    assert.equal(floats.object, 'list');
    assert.equal(floats.data.length, 2);
    assert.equal(floats.data[1]!.index, 1);
    assert.equal(floats.data[0]!.embedding.length, 1024);
    assert.equal(floats.usage.prompt_tokens, encode('first text').length + encode('second text').length);
    // The client asks for base64 by default and decodes it; the numbers must be the same.
    const decoded = await client.embeddings.create({ model: MODEL, input: ['first text', 'second text'] });
    assert.deepEqual(decoded.data[0]!.embedding, floats.data[0]!.embedding);
    const raw = await fetch(`${sim.url}/v1/embeddings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ model: MODEL, input: 'first text', encoding_format: 'base64', dimensions: 8 }),
    });
    const body = (await raw.json()) as { data: { embedding: string }[] };
    assert.equal(typeof body.data[0]!.embedding, 'string');
    assert.equal(Buffer.from(body.data[0]!.embedding, 'base64').length, 8 * 4);
    const short = await client.embeddings.create({ model: MODEL, input: 'first text', dimensions: 256 });
    assert.equal(short.data[0]!.embedding.length, 256);
    const norm = Math.hypot(...short.data[0]!.embedding);
    assert.ok(Math.abs(norm - 1) < 1e-4);
  });

  it('lists its models', async () => {
    const list = await client.models.list();
    assert.deepEqual(
      list.data.map((m) => [m.id, m.object, m.owned_by]),
      [
        [MODEL, 'model', 'vllm'],
        ['alias-model', 'model', 'vllm'],
      ],
    );
  });

  it('answers bad input with OpenAI-shaped 4xx errors', async () => {
    await assert.rejects(client.chat.completions.create({ model: 'nope', messages }), (err: unknown) => {
      assert.ok(err instanceof OpenAI.NotFoundError);
      assert.match(err.message, /The model `nope` does not exist/);
      return true;
    });
    const bad: [unknown, RegExp][] = [
      [{ model: MODEL, messages, n: 2 }, /'n'/],
      [{ model: MODEL, messages, max_tokens: 0 }, /max_tokens/],
      [{ model: MODEL, messages, max_tokens: 5000 }, /maximum context length is 4096/],
      [{ model: MODEL, messages, stream_options: { include_usage: true } }, /stream_options/],
      [{ model: MODEL, messages: [] }, /messages/],
      [{ model: MODEL, messages: [{ content: 'no role' }] }, /messages\[0\]\.role/],
      [{ model: MODEL, messages: [{ role: 'user', content: [{ type: 'video' }] }] }, /content\[0\]\.type/],
      [{ model: MODEL, messages, temperature: 'hot' }, /temperature/],
      [{ messages }, /model/],
    ];
    for (const [body, message] of bad) {
      const res = await rawRequest(`${sim.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.equal(res.status, 400, res.body);
      const error = (JSON.parse(res.body) as { error: Record<string, unknown> }).error;
      assert.equal(error['type'], 'BadRequestError');
      assert.equal(error['code'], 400);
      assert.match(String(error['message']), message);
    }
    const notJson = await rawRequest(`${sim.url}/v1/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}` },
      body: '{"model":',
    });
    assert.equal(notJson.status, 400);
    assert.match(notJson.body, /Invalid JSON body/);
    const tooMany = await rawRequest(`${sim.url}/v1/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ model: MODEL, prompt: [1, 2, 999999999] }),
    });
    assert.equal(tooMany.status, 400);
    const wrongMethod = await rawRequest(`${sim.url}/v1/chat/completions`, {
      headers: { authorization: `Bearer ${KEY}` },
    });
    assert.equal(wrongMethod.status, 405);
    const unknown = await rawRequest(`${sim.url}/v2/whatever`);
    assert.equal(unknown.status, 404);
  });

  it('requires the API key on /v1 only', async () => {
    const anonymous = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: 'wrong', maxRetries: 0 });
    await assert.rejects(anonymous.models.list(), OpenAI.AuthenticationError);
    assert.equal((await fetch(`${sim.url}/health`)).status, 200);
    assert.equal((await fetch(`${sim.url}/metrics`)).status, 200);
  });

  it('exposes vLLM metric names, types and labels', async () => {
    const metrics = await sim.metrics();
    const expected: [string, string][] = [
      ['vllm:num_requests_running', 'gauge'],
      ['vllm:num_requests_waiting', 'gauge'],
      ['vllm:kv_cache_usage_perc', 'gauge'],
      ['vllm:gpu_cache_usage_perc', 'gauge'],
      ['vllm:prefix_cache_queries_total', 'counter'],
      ['vllm:prefix_cache_hits_total', 'counter'],
      ['vllm:prompt_tokens_total', 'counter'],
      ['vllm:generation_tokens_total', 'counter'],
      ['vllm:request_success_total', 'counter'],
      ['vllm:time_to_first_token_seconds', 'histogram'],
      ['vllm:time_per_output_token_seconds', 'histogram'],
      ['vllm:e2e_request_latency_seconds', 'histogram'],
      ['vllm:request_queue_time_seconds', 'histogram'],
    ];
    for (const [name, type] of expected) assert.equal(metrics.types.get(name), type, name);
    const labels = { model_name: MODEL, engine: '0' };
    assert.ok(metrics.value('vllm:generation_tokens_total', labels) > 0);
    assert.ok(metrics.value('vllm:request_success_total', { ...labels, finished_reason: 'length' }) > 0);
    assert.ok(metrics.value('vllm:time_to_first_token_seconds_count', labels) > 0);
    assert.equal(metrics.value('vllm:num_requests_running', labels), 0);
    const buckets = metrics.all('vllm:time_to_first_token_seconds_bucket').map((s) => s.labels['le']);
    assert.deepEqual(buckets.slice(0, 3), ['0.001', '0.005', '0.01']);
    assert.equal(buckets.at(-1), '+Inf');
  });
});
