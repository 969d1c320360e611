/**
 * A failure before any response byte that the gateway retries elsewhere is still an
 * upstream error: `switchyard_upstream_errors_total` counts every failed attempt and
 * `switchyard_upstream_retries_total` the ones that were tried again.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeUpstream, reply, writeEndpointsFile } from './helpers/fake-upstream.js';
import { type RunningGateway, startGateway } from './helpers/gateway-process.js';
import { closedPort } from './helpers/ports.js';
import { parsePrometheus } from './helpers/prometheus.js';

describe('upstream errors and retries', () => {
  let failing: FakeUpstream;
  let healthy: FakeUpstream;
  let gateway: RunningGateway;
  let down: string;

  before(async () => {
    failing = await FakeUpstream.start((_req, res) =>
      reply.json(res, 503, { error: { message: 'overloaded' } }),
    );
    healthy = await FakeUpstream.start();
    down = `127.0.0.1:${await closedPort()}`; // nothing listens there
    gateway = await startGateway([
      '--endpoints-config',
      writeEndpointsFile({ m: [failing.address, healthy.address], alone: [down] }),
    ]);
  });

  after(async () => {
    await gateway?.stop();
    await failing?.close();
    await healthy?.close();
  });

  it('counts each 503 that was retried on the other endpoint, while the client gets 200', async () => {
    const chats = (u: FakeUpstream) => u.requests.filter((r) => r.path === '/v1/chat/completions').length;
    // Random routing: send until the failing endpoint was picked first a few times (a
    // handful of requests; the bound of 300 is only a guard).
    let sent = 0;
    while (chats(failing) < 3 && sent < 300) {
      const res = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
      });
      assert.equal(res.status, 200, 'the client never sees the 503');
      await res.text();
      sent++;
    }
    assert.equal(chats(healthy), sent);
    const metrics = parsePrometheus(await (await fetch(`${gateway.adminUrl}/metrics`)).text());
    const labels = { endpoint: failing.address, kind: 'server_error' };
    assert.equal(metrics.total('switchyard_upstream_errors_total', labels), chats(failing));
    assert.equal(metrics.total('switchyard_upstream_retries_total', labels), chats(failing));
    assert.equal(metrics.total('switchyard_upstream_errors_total', { endpoint: healthy.address }), 0);
  });

  it('counts a failure with nothing left to try once, as an error and not a retry', async () => {
    const res = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'alone', messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(res.status, 502);
    await res.text();
    const metrics = parsePrometheus(await (await fetch(`${gateway.adminUrl}/metrics`)).text());
    assert.equal(metrics.total('switchyard_upstream_errors_total', { endpoint: down, kind: 'connect' }), 1);
    assert.equal(metrics.total('switchyard_upstream_retries_total', { endpoint: down }), 0);
    const failure = await gateway.process.waitForLog(
      (l) => l.msg === 'upstream failed before responding' && l['endpoint'] === down,
    );
    assert.equal(failure['retrying'], false, 'the log does not promise a retry that cannot happen');
  });
});
