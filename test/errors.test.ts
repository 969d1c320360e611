/** The gateway's error table, end to end: every error is OpenAI-shaped with the right status. */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { FakeUpstream, reply, writeEndpointsFile } from './helpers/fake-upstream.js';
import { type RunningGateway, startGateway } from './helpers/gateway-process.js';
import { rawRequest } from './helpers/http.js';

interface ErrorBody {
  error: { message: string; type: string; code: string | null; param: string | null };
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('errors', () => {
  let upstream: FakeUpstream;
  let silent: FakeUpstream;
  let gateway: RunningGateway;

  before(async () => {
    upstream = await FakeUpstream.start((req, res) => {
      if (req.json?.['model'] === 'too-long') {
        reply.json(res, 400, {
          object: 'error',
          message: "This model's maximum context length is 8 tokens.",
          type: 'BadRequestError',
          code: 400,
        });
      } else {
        reply.json(res, 200, reply.chatCompletion('ok', req));
      }
    });
    silent = await FakeUpstream.start(() => {
      /* never answers */
    });
    const file = writeEndpointsFile({
      good: [upstream.address],
      'too-long': [upstream.address],
      down: [`127.0.0.1:${await closedPort()}`],
      slow: [silent.address],
    });
    gateway = await startGateway([
      '--endpoints-config',
      file,
      '--max-body-size',
      '1KiB',
      '--first-byte-timeout',
      '300ms',
    ]);
  });

  after(async () => {
    await gateway?.stop();
    await upstream?.close();
    await silent?.close();
  });

  async function expectError(
    path: string,
    init: { method?: string; body?: string | Buffer },
    status: number,
    code: string | null,
    type = status >= 500 ? 'server_error' : 'invalid_request_error',
  ): Promise<ErrorBody> {
    const res = await rawRequest(`${gateway.url}${path}`, {
      method: init.method ?? 'POST',
      headers: { 'content-type': 'application/json' },
      ...(init.body !== undefined ? { body: init.body } : {}),
    });
    assert.equal(res.status, status, res.body);
    assert.match(String(res.headers['content-type']), /application\/json/);
    assert.ok(res.headers['x-request-id'], 'errors carry a request id');
    const body = JSON.parse(res.body) as ErrorBody;
    assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'param', 'type']);
    assert.equal(body.error.code, code);
    assert.equal(body.error.type, type);
    assert.ok(body.error.message.length > 0);
    return body;
  }

  const chat = (model: unknown) => JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] });

  it('400 for malformed JSON', async () => {
    await expectError('/v1/chat/completions', { body: '{"model": "good",' }, 400, 'invalid_json');
  });

  it('400 for a missing or non-string model, naming the parameter', async () => {
    const missing = await expectError(
      '/v1/chat/completions',
      { body: '{"messages":[]}' },
      400,
      'missing_required_parameter',
    );
    assert.equal(missing.error.param, 'model');
    const wrongType = await expectError('/v1/chat/completions', { body: chat(7) }, 400, 'invalid_value');
    assert.equal(wrongType.error.param, 'model');
  });

  it('404 model_not_found for an unknown model, pointing at /v1/models', async () => {
    const body = await expectError('/v1/chat/completions', { body: chat('nope') }, 404, 'model_not_found');
    assert.match(body.error.message, /nope/);
    assert.match(body.error.message, /\/v1\/models/);
  });

  it('404 for an unknown path and 405 for a wrong method', async () => {
    await expectError('/v1/does-not-exist', { body: '{}' }, 404, 'unknown_url');
    await expectError('/v1/chat/completions', { method: 'GET' }, 405, 'method_not_allowed');
    const res = await rawRequest(`${gateway.url}/v1/models`, { method: 'DELETE' });
    assert.equal(res.status, 405);
    assert.equal(res.headers['allow'], 'GET');
  });

  it('413 for a body over the limit, declared or streamed', async () => {
    const big = chat('good').replace('hi', 'x'.repeat(2048));
    await expectError('/v1/chat/completions', { body: big }, 413, 'request_too_large');
    const res = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(gateway.port, '127.0.0.1', () => {
        socket.write('POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n');
        socket.write(`800\r\n${'y'.repeat(0x800)}\r\n`);
      });
      let data = '';
      socket.on('data', (d) => {
        data += d.toString();
      });
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
    });
    assert.match(res, /^HTTP\/1\.1 413/);
    assert.match(res, /request_too_large/);
  });

  it('502 when the model server refuses the connection, then 503 while it is ejected', async () => {
    await expectError('/v1/chat/completions', { body: chat('down') }, 502, 'upstream_connect_error');
    const res = await rawRequest(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      body: chat('down'),
    });
    assert.equal(res.status, 503);
    assert.equal(JSON.parse(res.body).error.code, 'no_healthy_upstream');
    assert.equal(res.headers['retry-after'], '1');
  });

  it('504 when the model server does not answer in time', async () => {
    const body = await expectError('/v1/chat/completions', { body: chat('slow') }, 504, 'upstream_timeout');
    assert.match(body.error.message, /slow/);
  });

  it("passes an upstream's own JSON error through with its status", async () => {
    const res = await rawRequest(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      body: chat('too-long'),
    });
    assert.equal(res.status, 400);
    assert.equal(JSON.parse(res.body).message, "This model's maximum context length is 8 tokens.");
  });

  it('keeps serving valid requests after all of the above', async () => {
    const res = await rawRequest(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      body: chat('good'),
    });
    assert.equal(res.status, 200);
  });
});
