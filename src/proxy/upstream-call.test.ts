import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { EndpointSpec } from '../config/model.js';
import { callUpstream, readText, type UpstreamRequest } from './upstream-call.js';
import { UpstreamError } from './upstream-error.js';

/** A server whose paths misbehave on purpose. */
function startServer(): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    req.resume();
    switch (req.url) {
      case '/ok':
        res.writeHead(200, { 'content-type': 'application/json', 'x-multi': ['a', 'b'] });
        res.end('{"hello":"world"}');
        return;
      case '/slow-headers':
        setTimeout(() => res.writeHead(200).end('late'), 2000);
        return;
      case '/stall':
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: first\n\n');
        return;
      case '/break':
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: first\n\n');
        setTimeout(() => res.socket?.destroy(), 20);
        return;
      default:
        res.writeHead(200).end('x'.repeat(10_000));
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('callUpstream', () => {
  let server: http.Server;
  let endpoint: EndpointSpec;

  before(async () => {
    server = await startServer();
    const port = (server.address() as AddressInfo).port;
    endpoint = { id: `127.0.0.1:${port}`, host: '127.0.0.1', port } as EndpointSpec;
  });

  after(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });

  const call = (path: string, extra: Partial<UpstreamRequest> = {}): UpstreamRequest => ({
    endpoint,
    method: 'POST',
    path,
    headers: { 'content-type': 'application/json', 'content-length': '2' },
    body: Buffer.from('{}'),
    connectTimeoutMs: 1000,
    firstByteTimeoutMs: 1000,
    idleTimeoutMs: 1000,
    signal: new AbortController().signal,
    ...extra,
  });

  it('answers the status and headers, and the body read later (what arrived waits for the reader)', async () => {
    const response = await callUpstream(call('/ok'));
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'application/json');
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(await readText(response, 1000, () => new Error('too large')), '{"hello":"world"}');
  });

  it('rejects before the response with kinds the gateway retries on', async () => {
    const refused = { ...endpoint, id: '127.0.0.1:1', port: 1 } as EndpointSpec;
    await assert.rejects(callUpstream({ ...call('/ok'), endpoint: refused }), (err: unknown) => {
      assert.ok(err instanceof UpstreamError);
      assert.equal(err.kind, 'connect');
      assert.equal(err.beforeResponse, true);
      return true;
    });
    await assert.rejects(callUpstream(call('/slow-headers', { firstByteTimeoutMs: 50 })), (err: unknown) => {
      assert.ok(err instanceof UpstreamError);
      assert.equal(err.kind, 'first_byte_timeout');
      return true;
    });
  });

  it('tells the reader a stalled body from a broken one', async () => {
    const stalled = await callUpstream(call('/stall', { idleTimeoutMs: 50 }));
    await assert.rejects(
      readText(stalled, 1000, () => new Error('too large')),
      (err: unknown) => {
        assert.ok(err instanceof UpstreamError);
        assert.equal(err.kind, 'idle_timeout');
        assert.equal(err.beforeResponse, false);
        return true;
      },
    );
    const broken = await callUpstream(call('/break'));
    await assert.rejects(
      readText(broken, 1000, () => new Error('too large')),
      (err: unknown) => {
        assert.ok(err instanceof UpstreamError);
        assert.equal(err.kind, 'interrupted');
        return true;
      },
    );
  });

  it('fails with the abort reason, before the response and within the body', async () => {
    const reason = new Error('client went away');
    const early = new AbortController();
    const pending = callUpstream(call('/slow-headers', { signal: early.signal }));
    early.abort(reason);
    await assert.rejects(pending, (err: unknown) => err === reason);
    const late = new AbortController();
    const response = await callUpstream(call('/stall', { signal: late.signal }));
    const reading = readText(response, 1000, () => new Error('too large'));
    late.abort(reason);
    await assert.rejects(reading, (err: unknown) => err === reason);
  });

  it('stops reading a body past the size limit', async () => {
    const response = await callUpstream(call('/big'));
    await assert.rejects(
      readText(response, 100, () => new Error('too large')),
      /too large/,
    );
  });
});
