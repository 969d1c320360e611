/** Choosing the routing algorithm: default flag, env, and the per-request header. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deferred, FakeUpstream, reply, writeEndpointsFile } from './helpers/fake-upstream.js';
import { runCli, startGateway } from './helpers/gateway-process.js';

describe('routing strategy selection', () => {
  let busy: FakeUpstream;
  let idle: FakeUpstream;
  const hold = deferred();
  let file: string;

  before(async () => {
    busy = await FakeUpstream.start(async (req, res) => {
      if (req.json?.['hold']) await hold.promise;
      reply.json(res, 200, reply.chatCompletion('busy', req));
    });
    idle = await FakeUpstream.start((req, res) => reply.json(res, 200, reply.chatCompletion('idle', req)));
    file = writeEndpointsFile({ m: [busy.address, idle.address] });
  });

  after(async () => {
    hold.resolve();
    await busy?.close();
    await idle?.close();
  });

  const body = (extra: Record<string, unknown> = {}) =>
    JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }], ...extra });

  it('least-request sends new requests away from an endpoint with requests in flight', async () => {
    const gateway = await startGateway(['--endpoints-config', file], { ROUTING_ALGORITHM: 'least-request' });
    try {
      // Send held requests until one sits on the busy endpoint (the others return at once).
      const held: Promise<Response>[] = [];
      while (busy.requests.filter((r) => r.json?.['hold']).length < 1) {
        held.push(
          fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', body: body({ hold: true }) }),
        );
        await new Promise((r) => setTimeout(r, 30));
      }
      for (let i = 0; i < 10; i++) {
        const res = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', body: body() });
        assert.equal(res.headers.get('routing-strategy'), 'least-request');
        assert.equal(res.headers.get('target-pod'), idle.address);
        await res.arrayBuffer();
      }
      hold.resolve();
      await Promise.all(held.map(async (p) => (await p).arrayBuffer()));
    } finally {
      await gateway.stop();
    }
  });

  it('the routing-strategy header overrides the default per request; unknown names are a 400', async () => {
    const gateway = await startGateway(['--endpoints-config', file, '--routing-algorithm', 'least-request']);
    try {
      const res = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'routing-strategy': 'random' },
        body: body(),
      });
      await res.arrayBuffer();
      assert.equal(res.headers.get('routing-strategy'), 'random');
      const bad = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'routing-strategy': 'telepathy' },
        body: body(),
      });
      assert.equal(bad.status, 400);
      const error = ((await bad.json()) as { error: { code: string; param: string; message: string } }).error;
      assert.equal(error.code, 'unknown_routing_strategy');
      assert.equal(error.param, 'routing-strategy');
      assert.match(error.message, /least-request/);
    } finally {
      await gateway.stop();
    }
  });

  it('an unknown default algorithm fails at start with exit code 2', async () => {
    const result = await runCli([
      'run',
      '--endpoints-config',
      file,
      '--routing-algorithm',
      'telepathy',
      '--port',
      '0',
    ]);
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /^switchyard: unknown routing algorithm "telepathy" \(known: .*random.*\)\n$/,
    );
  });
});
