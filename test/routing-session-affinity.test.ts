/** session-affinity and weighted combinations chosen per request, through the real gateway. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeUpstream, reply, writeEndpointsFile } from './helpers/fake-upstream.js';
import { type RunningGateway, startGateway } from './helpers/gateway-process.js';

describe('session affinity and the routing-strategy header', () => {
  const upstreams: FakeUpstream[] = [];
  let gateway: RunningGateway;

  before(async () => {
    for (let i = 0; i < 3; i++) {
      upstreams.push(
        await FakeUpstream.start((req, res) => reply.json(res, 200, reply.chatCompletion(`u${i}`, req))),
      );
    }
    gateway = await startGateway([
      '--endpoints-config',
      writeEndpointsFile({ m: upstreams.map((u) => u.address) }),
      '--engine-metrics-interval',
      '0',
    ]);
  });

  after(async () => {
    await gateway?.stop();
    for (const u of upstreams) await u.close();
  });

  const ask = async (headers: Record<string, string>) => {
    const res = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
    });
    const body = await res.text();
    return { res, body };
  };

  it('keeps each session on one endpoint and returns the session header', async () => {
    const podsBySession = new Map<string, Set<string>>();
    for (let round = 0; round < 4; round++) {
      for (const session of ['alice', 'bob', 'carol', 'dave', 'erin', 'frank']) {
        const { res } = await ask({ 'routing-strategy': 'session-affinity', 'x-session-id': session });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('x-session-id'), session);
        assert.equal(res.headers.get('routing-strategy'), 'session-affinity');
        const pods = podsBySession.get(session) ?? new Set();
        pods.add(res.headers.get('target-pod')!);
        podsBySession.set(session, pods);
      }
    }
    for (const [session, pods] of podsBySession)
      assert.equal(pods.size, 1, `${session} stayed on one endpoint`);
    const used = new Set([...podsBySession.values()].map((p) => [...p][0]));
    assert.ok(used.size > 1, 'sessions are spread over endpoints');
  });

  it('gives a client without a session id one to send back', async () => {
    const { res } = await ask({ 'routing-strategy': 'session-affinity' });
    const id = res.headers.get('x-session-id');
    assert.match(id ?? '', /^[0-9a-f-]{36}$/);
    const pod = res.headers.get('target-pod');
    for (let i = 0; i < 3; i++) {
      const again = await ask({ 'routing-strategy': 'session-affinity', 'x-session-key': id! });
      assert.equal(again.res.headers.get('target-pod'), pod);
      assert.equal(again.res.headers.get('x-session-key'), id);
    }
  });

  it('accepts a weighted combination in the header, and explains a bad one', async () => {
    const { res } = await ask({ 'routing-strategy': 'prefix-cache:2, least-request' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('routing-strategy'), 'prefix-cache:2,least-request:1');
    const bad = await ask({ 'routing-strategy': 'prefix-cache:2,session-affinity:1' });
    assert.equal(bad.res.status, 400);
    const error = (JSON.parse(bad.body) as { error: { code: string; message: string } }).error;
    assert.equal(error.code, 'unknown_routing_strategy');
    assert.match(error.message, /"session-affinity" cannot be part of a weighted combination/);
  });
});
