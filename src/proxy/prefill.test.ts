import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeUpstream, reply } from '../../test/helpers/fake-upstream.js';
import { spec } from '../../test/helpers/router-contract.js';
import { decodeBody, prefillBody, runPrefill } from './prefill.js';
import { UpstreamError } from './upstream-error.js';

const KV = { do_remote_prefill: true, remote_engine_id: 'e1', remote_block_ids: [1, 2], remote_host: 'h' };
const TIMEOUTS = { connectMs: 1_000, firstByteMs: 1_000, idleMs: 200 };

describe('prefill step', () => {
  let engine: FakeUpstream;
  before(async () => {
    engine = await FakeUpstream.start();
  });
  after(() => engine.close());

  const call = (body = prefillBody({ model: 'm', prompt: 'p' })) => ({
    endpoint: spec(engine.address, { role: 'prefill' as const }),
    path: '/v1/completions',
    body,
    headers: { 'content-type': 'application/json' },
    timeouts: TIMEOUTS,
    signal: new AbortController().signal,
  });

  it('asks for one token, no stream, and a remote decode; keeps every other field', () => {
    const body = JSON.parse(
      prefillBody({
        model: 'm',
        messages: [],
        stream: true,
        stream_options: { include_usage: true },
        max_completion_tokens: 300,
        min_tokens: 5,
        temperature: 0.3,
      }).toString(),
    );
    assert.deepEqual(body, {
      model: 'm',
      messages: [],
      stream: false,
      max_completion_tokens: 1,
      max_tokens: 1,
      temperature: 0.3,
      kv_transfer_params: { do_remote_decode: true },
    });
  });

  it('puts the returned kv_transfer_params into the client request for decode', () => {
    assert.deepEqual(JSON.parse(decodeBody({ model: 'm', stream: true, max_tokens: 50 }, KV).toString()), {
      model: 'm',
      stream: true,
      max_tokens: 50,
      kv_transfer_params: KV,
    });
  });

  it('returns the kv_transfer_params of the answer', async () => {
    engine.handler = (req, res) =>
      reply.json(res, 200, { ...reply.chatCompletion('x', req), kv_transfer_params: KV });
    const result = await runPrefill(call());
    assert.ok(result.ok);
    assert.deepEqual(result.kvTransferParams, KV);
    assert.equal(engine.requests.at(-1)?.json?.['max_tokens'], 1);
  });

  it('reports an error answer or an answer without kv_transfer_params, with the body', async () => {
    engine.handler = (_req, res) => reply.json(res, 400, { error: { message: 'prompt too long' } });
    const rejected = await runPrefill(call());
    assert.ok(!rejected.ok);
    assert.equal(rejected.status, 400);
    assert.deepEqual(rejected.json, { error: { message: 'prompt too long' } });

    engine.handler = (req, res) => reply.json(res, 200, reply.chatCompletion('x', req));
    const plain = await runPrefill(call());
    assert.ok(!plain.ok);
    assert.match(plain.problem, /no kv_transfer_params/);
  });

  it('gives up on an answer that stalls, at the idle timeout', async () => {
    engine.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"id":');
    };
    await assert.rejects(
      runPrefill(call()),
      (err: unknown) => err instanceof UpstreamError && err.kind === 'idle_timeout',
    );
  });

  it('fails fast, before any response, when the engine refuses the connection', async () => {
    const gone = await FakeUpstream.start();
    const address = gone.address;
    await gone.close();
    await assert.rejects(
      runPrefill({ ...call(), endpoint: spec(address, { role: 'prefill' }) }),
      (err: unknown) => err instanceof UpstreamError && err.kind === 'connect' && err.beforeResponse,
    );
  });
});
