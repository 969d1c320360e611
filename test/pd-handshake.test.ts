/**
 * pd through the real gateway against a fake prefill/decode pair: the two-step handshake
 * (kv_transfer_params from prefill reach decode), headers, streaming, and failed prefills.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeUpstream, reply } from './helpers/fake-upstream.js';
import { writeTempFile } from './helpers/files.js';
import { type RunningGateway, startGateway } from './helpers/gateway-process.js';

const KV = {
  do_remote_prefill: true,
  do_remote_decode: false,
  remote_engine_id: 'prefill-engine-1',
  remote_block_ids: [3, 4, 5],
  remote_host: '127.0.0.1',
  remote_port: 1,
};

describe('pd: prefill then decode', () => {
  let prefill: FakeUpstream;
  let decode: FakeUpstream;
  let gateway: RunningGateway;

  before(async () => {
    prefill = await FakeUpstream.start();
    decode = await FakeUpstream.start();
    const file = writeTempFile(
      'endpoints.yaml',
      `models:
  - name: m
    rolesets:
      - name: default
        prefill: ["${prefill.address}"]
        decode: ["${decode.address}"]
`,
    );
    gateway = await startGateway([
      '--endpoints-config',
      file,
      '--routing-algorithm',
      'pd',
      '--engine-metrics-interval',
      '0',
      '--max-retries',
      '0',
    ]);
  });

  after(async () => {
    await gateway?.stop();
    await prefill?.close();
    await decode?.close();
  });

  const chat = (extra: Record<string, unknown> = {}) =>
    fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'Hello there' }], ...extra }),
    });

  it('prefills with one token and remote decode, then streams the decode with the returned kv_transfer_params', async () => {
    prefill.handler = (req, res) =>
      reply.json(res, 200, { ...reply.chatCompletion('H', req), kv_transfer_params: KV });
    decode.handler = (_req, res) => reply.chatStream(res, ['Hel', 'lo', '!']);
    const before = { p: prefill.requests.length, d: decode.requests.length };

    const res = await chat({ stream: true, max_tokens: 40, stream_options: { include_usage: true } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('routing-strategy'), 'pd');
    assert.equal(res.headers.get('target-pod'), decode.address);
    assert.equal(res.headers.get('prefill-target-pod'), prefill.address);
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    const text = await res.text();
    assert.match(text, /"Hel".*"lo".*"!".*\[DONE\]/s);

    const [prefillReq] = prefill.requests.slice(before.p);
    assert.equal(prefillReq?.path, '/v1/chat/completions');
    assert.deepEqual(prefillReq?.json, {
      model: 'm',
      messages: [{ role: 'user', content: 'Hello there' }],
      stream: false,
      max_tokens: 1,
      kv_transfer_params: { do_remote_decode: true },
    });
    const [decodeReq] = decode.requests.slice(before.d);
    assert.deepEqual(decodeReq?.json, {
      model: 'm',
      messages: [{ role: 'user', content: 'Hello there' }],
      stream: true,
      max_tokens: 40,
      stream_options: { include_usage: true },
      kv_transfer_params: KV,
    });
  });

  it('a prefill engine error is a 502 prefill_failed at once, and decode is never called', async () => {
    prefill.handler = (_req, res) => reply.json(res, 500, { error: { message: 'CUDA out of memory' } });
    const decodeCalls = decode.requests.length;
    const res = await chat();
    assert.equal(res.status, 502);
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'prefill_failed');
    assert.match(body.error.message, /answered 500/);
    assert.doesNotMatch(body.error.message, /CUDA/, 'engine internals stay inside');
    assert.equal(decode.requests.length, decodeCalls);
  });

  it('a prefill answer without kv_transfer_params is a 502 that says so', async () => {
    prefill.handler = (req, res) => reply.json(res, 200, reply.chatCompletion('H', req));
    const res = await chat();
    assert.equal(res.status, 502);
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'prefill_failed');
    assert.match(body.error.message, /no kv_transfer_params/);
  });

  it("the client's own error found by prefill (a 4xx) passes through with its status", async () => {
    prefill.handler = (_req, res) =>
      reply.json(res, 400, {
        error: {
          message: 'This model maximum context length is 32 tokens',
          type: 'invalid_request_error',
          code: null,
        },
      });
    const res = await chat();
    assert.equal(res.status, 400);
    const body = (await res.json()) as { error: { message: string } };
    assert.match(body.error.message, /maximum context length/);
  });

  it('a prefill engine that does not answer ends in an error, not a hang', async () => {
    const gone = await FakeUpstream.start();
    const address = gone.address;
    await gone.close();
    const file = writeTempFile(
      'endpoints.yaml',
      `models:
  - name: m
    rolesets:
      - name: default
        prefill: ["${address}"]
        decode: ["${decode.address}"]
`,
    );
    const down = await startGateway([
      '--endpoints-config',
      file,
      '--routing-algorithm',
      'pd',
      '--engine-metrics-interval',
      '0',
      '--max-retries',
      '0',
    ]);
    try {
      const res = await fetch(`${down.url}/v1/chat/completions`, {
        method: 'POST',
        body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }] }),
      });
      assert.equal(res.status, 502);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'upstream_connect_error');
      // The prefill endpoint is now ejected: pd serves on the decode engine alone, visibly.
      decode.handler = (req, res2) => reply.json(res2, 200, reply.chatCompletion('alone', req));
      const next = await fetch(`${down.url}/v1/chat/completions`, {
        method: 'POST',
        body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }] }),
      });
      assert.equal(next.status, 200);
      assert.equal(next.headers.get('routing-strategy'), 'pd->least-request');
      assert.equal(next.headers.get('prefill-target-pod'), null);
      await next.arrayBuffer();
    } finally {
      await down.stop();
    }
  });
});
