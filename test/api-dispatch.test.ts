/**
 * The exact API paths go straight to their handlers and every other request through
 * express: both ways answer the same, and a request a user sends either way is logged.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeUpstream, reply, writeEndpointsFile } from './helpers/fake-upstream.js';
import { type RunningGateway, startGateway } from './helpers/gateway-process.js';

describe('API dispatch', () => {
  let upstream: FakeUpstream;
  let gateway: RunningGateway;

  before(async () => {
    upstream = await FakeUpstream.start((req, res) => reply.json(res, 200, reply.chatCompletion('hi', req)));
    gateway = await startGateway([
      '--endpoints-config',
      writeEndpointsFile({ 'test-model': [upstream.address] }),
    ]);
  });

  after(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  const chat = (path: string, requestId: string) =>
    fetch(`${gateway.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': requestId },
      body: JSON.stringify({ model: 'test-model', messages: [{ role: 'user', content: 'hi' }] }),
    });

  it('serves the exact path and the variants express matches alike', async () => {
    for (const path of [
      '/v1/chat/completions',
      '/v1/chat/completions/',
      '/v1/chat/completions?x=1',
      '/V1/Chat/Completions',
    ]) {
      const res = await chat(path, `dispatch-${path}`);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get('x-request-id'), `dispatch-${path}`);
      const body = (await res.json()) as { choices: { message: { content: string } }[] };
      assert.equal(body.choices[0]!.message.content, 'hi');
    }
    // The upstream was always called on the provider's own path (besides engine-metrics scrapes).
    const calls = upstream.requests.filter((r) => r.method === 'POST');
    assert.equal(calls.length, 4);
    assert.ok(calls.every((r) => r.path === '/v1/chat/completions'));
  });

  it('still answers 405 with Allow for another method and 404 for an unknown path', async () => {
    const wrongMethod = await fetch(`${gateway.url}/v1/chat/completions`);
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.headers.get('allow'), 'POST');
    assert.ok(wrongMethod.headers.get('x-request-id'));
    const unknown = await fetch(`${gateway.url}/v1/nothing`, { method: 'POST' });
    assert.equal(unknown.status, 404);
    assert.equal(((await unknown.json()) as { error: { code: string } }).error.code, 'unknown_url');
  });

  it('writes one access-log line per request, also when no other traffic follows', async () => {
    const res = await chat('/v1/chat/completions', 'access-log-1');
    assert.equal(res.status, 200);
    await res.text();
    // Log lines are written in batches; the last one must still appear without more traffic.
    const line = await gateway.process.waitForLog(
      (l) => l.msg === 'request' && l['requestId'] === 'access-log-1',
    );
    assert.equal(line.level, 'info');
    assert.equal(line['method'], 'POST');
    assert.equal(line['path'], '/v1/chat/completions');
    assert.equal(line['model'], 'test-model');
    assert.equal(line['endpoint'], upstream.address);
    assert.equal(line['status'], 200);
    assert.equal(typeof line['durationMs'], 'number');
  });
});
