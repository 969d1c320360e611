/**
 * Limits that protect the gateway and its upstreams, end to end: header size (431),
 * slow clients (408), malformed HTTP (400), the gateway-wide concurrency limit (429) and
 * the per-endpoint one (a full endpoint is skipped; all full is a 503). Every refusal is
 * OpenAI-shaped, says when to retry where that helps, and never reaches an upstream.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { deferred, FakeUpstream, reply, writeEndpointsFile } from './helpers/fake-upstream.js';
import { type RunningGateway, startGateway } from './helpers/gateway-process.js';
import { rawRequest } from './helpers/http.js';
import { scrapeMetrics } from './helpers/prometheus.js';
import { waitUntil } from './helpers/sim-process.js';

interface ErrorBody {
  error: { message: string; type: string; code: string | null; param: string | null };
}

/** Writes `parts` to a raw connection, `gapMs` apart, and resolves with all it received. */
function rawExchange(port: number, parts: readonly string[], gapMs = 0): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    let timer: NodeJS.Timeout | undefined;
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (received += d));
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(received);
    });
    let i = 0;
    const next = () => {
      if (socket.destroyed) return;
      if (i < parts.length) socket.write(parts[i++]!);
      if (i < parts.length) timer = setTimeout(next, gapMs);
    };
    next();
  });
}

function parseRaw(text: string): { status: number; headers: string; body: ErrorBody } {
  const [head, body] = text.split('\r\n\r\n', 2) as [string, string];
  return {
    status: Number(head.split(' ')[1]),
    headers: head.toLowerCase(),
    body: JSON.parse(body) as ErrorBody,
  };
}

/** Inference requests an upstream received (the gateway also scrapes its /metrics). */
function chats(upstream: FakeUpstream): number {
  return upstream.requests.filter((r) => r.path === '/v1/chat/completions').length;
}

function chat(
  url: string,
  model: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return rawRequest(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });
}

describe('limits', () => {
  let a: FakeUpstream;
  let b: FakeUpstream;
  let release = deferred();
  let limited: RunningGateway;
  let perEndpoint: RunningGateway;

  before(async () => {
    const held = async (req: Parameters<FakeUpstream['handler']>[0], res: http.ServerResponse) => {
      if (req.json?.['model'] !== 'quick') await release.promise;
      reply.json(res, 200, reply.chatCompletion('done', req));
    };
    a = await FakeUpstream.start(held);
    b = await FakeUpstream.start(held);
    limited = await startGateway([
      '--endpoints-config',
      writeEndpointsFile({ held: [a.address], quick: [a.address] }),
      '--max-concurrent-requests',
      '2',
      '--max-header-size',
      '4Ki',
      '--request-read-timeout',
      '500ms',
    ]);
    perEndpoint = await startGateway([
      '--endpoints-config',
      writeEndpointsFile({ pair: [a.address, b.address] }),
      '--max-requests-per-endpoint',
      '1',
    ]);
  });

  after(async () => {
    release.resolve();
    await limited?.stop();
    await perEndpoint?.stop();
    await a?.close();
    await b?.close();
  });

  it('431 for headers over --max-header-size, OpenAI-shaped, and nothing forwarded', async () => {
    const before = chats(a);
    const text = await rawExchange(limited.port, [
      `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(8 * 1024)}\r\ncontent-length: 2\r\n\r\n{}`,
    ]);
    const res = parseRaw(text);
    assert.equal(res.status, 431);
    assert.match(res.headers, /content-type: application\/json/);
    assert.match(res.headers, /connection: close/);
    assert.equal(res.body.error.code, 'request_headers_too_large');
    assert.equal(res.body.error.type, 'invalid_request_error');
    assert.equal(chats(a), before);
  });

  it('408 for a body that trickles in slower than --request-read-timeout (slowloris)', async () => {
    const body = JSON.stringify({ model: 'quick', messages: [{ role: 'user', content: 'hi' }] });
    const head = `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`;
    // One byte every 100 ms: the whole body would take seconds.
    const text = await rawExchange(limited.port, [head, ...body.split('')], 100);
    const res = parseRaw(text);
    assert.equal(res.status, 408);
    assert.equal(res.body.error.code, 'request_timeout');
  });

  it('408 for headers that never end', async () => {
    const text = await rawExchange(
      limited.port,
      [
        'POST /v1/chat/completions HTTP/1.1\r\n',
        'x-a: 1\r\n',
        'x-b: 2\r\n',
        'x-c: 3\r\n',
        'x-d: 4\r\n',
        'x-e: 5\r\n',
        'x-f: 6\r\n',
        'x-g: 7\r\n',
      ],
      100,
    );
    assert.equal(parseRaw(text).status, 408);
  });

  it('a body sent in pieces within the read timeout is served', async () => {
    const body = JSON.stringify({ model: 'quick', messages: [{ role: 'user', content: 'hi' }] });
    const head = `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-length: ${body.length}\r\n\r\n`;
    const text = await rawExchange(limited.port, [head, body.slice(0, 10), body.slice(10)], 50);
    assert.match(text, /^HTTP\/1\.1 200 /);
  });

  it('400 for requests that are not valid HTTP (request smuggling shapes)', async () => {
    const cases = [
      'POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-length: 5\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n',
      'POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-length: 5\r\ncontent-length: 6\r\n\r\nhello!',
      'GET / HTTP/1.1\r\nhost: x\r\nbad header\r\n\r\n',
      'NOT-A-METHOD / HTTP/1.1\r\n\r\n',
    ];
    for (const request of cases) {
      const res = parseRaw(await rawExchange(limited.port, [request]));
      assert.equal(res.status, 400, request);
      assert.equal(res.body.error.code, 'bad_request');
    }
  });

  it('429 with retry-after over --max-concurrent-requests, without touching the upstream', async () => {
    release = deferred();
    const before = chats(a);
    const first = chat(limited.url, 'held');
    const second = chat(limited.url, 'held');
    await waitUntil(async () => chats(a) === before + 2, 'two requests reach the upstream');
    const third = await chat(limited.url, 'held');
    assert.equal(third.status, 429);
    assert.equal(third.headers['retry-after'], '1');
    const body = JSON.parse(third.body) as ErrorBody;
    assert.equal(body.error.type, 'rate_limit_error');
    assert.equal(body.error.code, 'gateway_overloaded');
    assert.equal(chats(a), before + 2, 'the shed request never reached the upstream');
    release.resolve();
    assert.equal((await first).status, 200);
    assert.equal((await second).status, 200);
    assert.equal((await chat(limited.url, 'quick')).status, 200, 'slots are given back');
  });

  it('counts every refusal by reason', async () => {
    const m = await scrapeMetrics(limited.adminUrl);
    assert.equal(m.value('switchyard_requests_rejected_total', { reason: 'headers_too_large' }), 1);
    assert.equal(m.value('switchyard_requests_rejected_total', { reason: 'request_timeout' }), 2);
    assert.equal(m.value('switchyard_requests_rejected_total', { reason: 'bad_http' }), 4);
    assert.equal(m.value('switchyard_requests_rejected_total', { reason: 'overloaded' }), 1);
  });

  it('--max-requests-per-endpoint skips a full endpoint, and answers 503 when all are full', async () => {
    release = deferred();
    const first = chat(perEndpoint.url, 'pair');
    const second = chat(perEndpoint.url, 'pair');
    await waitUntil(async () => chats(a) + chats(b) >= 2, 'both endpoints hold a request');
    const third = await chat(perEndpoint.url, 'pair');
    assert.equal(third.status, 503);
    assert.equal(third.headers['retry-after'], '1');
    assert.equal((JSON.parse(third.body) as ErrorBody).error.code, 'upstream_at_capacity');
    release.resolve();
    const pods = [(await first).headers['target-pod'], (await second).headers['target-pod']].sort();
    assert.deepEqual(pods, [a.address, b.address].sort(), 'the second request went to the free endpoint');
    assert.equal((await chat(perEndpoint.url, 'pair')).status, 200);
  });
});
