/**
 * No client input selects an upstream address: headers other gateways honour for that
 * (`target-pod`, Gateway API's `x-gateway-destination-endpoint`, Envoy's original
 * destination, Host and forwarding headers), an absolute request target, or body fields,
 * all leave routing to the configured endpoints. A listening "attacker" server sees nothing.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { FakeUpstream, writeEndpointsFile } from './helpers/fake-upstream.js';
import { type RunningGateway, startGateway } from './helpers/gateway-process.js';
import { rawRequest } from './helpers/http.js';

describe('clients cannot choose the upstream address', () => {
  let configured: FakeUpstream;
  let attacker: FakeUpstream;
  let gateway: RunningGateway;

  before(async () => {
    configured = await FakeUpstream.start();
    attacker = await FakeUpstream.start();
    gateway = await startGateway([
      '--endpoints-config',
      writeEndpointsFile({ m: [configured.address] }),
      '--engine-metrics-interval',
      '0',
    ]);
  });

  after(async () => {
    await gateway?.stop();
    await configured?.close();
    await attacker?.close();
  });

  const body = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });

  it('ignores every header that names a destination', async () => {
    const evil = attacker.address;
    const steering: Record<string, string>[] = [
      { 'target-pod': evil },
      { 'prefill-target-pod': evil },
      { 'x-gateway-destination-endpoint': evil },
      { 'x-envoy-original-dst-host': evil },
      { 'x-ai-eg-original-path': `http://${evil}/v1/chat/completions` },
      { host: evil },
      { 'x-forwarded-host': evil },
      { forwarded: `host=${evil};proto=http` },
      { 'x-forwarded-proto': 'https', 'x-forwarded-port': String(attacker.port) },
      { 'x-original-url': `http://${evil}/v1/chat/completions` },
      { 'x-rewrite-url': `http://${evil}/` },
      { 'x-session-id': evil, 'routing-strategy': 'session-affinity' },
    ];
    for (const headers of steering) {
      const res = await rawRequest(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers, body });
      assert.equal(res.status, 200, JSON.stringify(headers));
      assert.equal(res.headers['target-pod'], configured.address, JSON.stringify(headers));
    }
    const routingToAddress = await rawRequest(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'routing-strategy': evil },
      body,
    });
    assert.equal(routingToAddress.status, 400);
    assert.equal(attacker.requests.length, 0);
  });

  it('ignores body fields that name a destination', async () => {
    const res = await rawRequest(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({
        model: 'm',
        messages: [{ role: 'user', content: 'hi' }],
        target_pod: attacker.address,
        base_url: `http://${attacker.address}/v1`,
        kv_transfer_params: { remote_host: '127.0.0.1', remote_port: attacker.port },
      }),
    });
    assert.equal(res.status, 200);
    assert.equal(attacker.requests.length, 0);
    const seen = configured.requests.at(-1)!;
    assert.equal(
      seen.json?.['kv_transfer_params'],
      undefined,
      "engine-to-engine parameters are the gateway's to set",
    );
    assert.equal(seen.json?.['target_pod'], attacker.address, 'other unknown fields pass through untouched');
  });

  it('routes an absolute-form request target by its path only', async () => {
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(gateway.port, '127.0.0.1');
      let text = '';
      socket.setEncoding('utf8').on('data', (d: string) => (text += d));
      socket.on('close', () => resolve(text)).on('error', reject);
      // write, not end: node treats a client that half-closes as gone.
      socket.write(
        `POST http://${attacker.address}/v1/chat/completions HTTP/1.1\r\nhost: ${attacker.address}\r\n` +
          `connection: close\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
      );
    });
    assert.match(raw, /^HTTP\/1\.1 200 /);
    assert.match(raw, new RegExp(`target-pod: ${configured.address}`));
    assert.equal(attacker.requests.length, 0);
  });

  it('forwards none of the routing headers it consumed, and rewrites Host for the endpoint', async () => {
    const before = configured.requests.length;
    await rawRequest(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        host: attacker.address,
        'routing-strategy': 'random',
        connection: 'x-secret-hop',
        'x-secret-hop': '1',
      },
      body,
    });
    const seen = configured.requests.slice(before).find((r) => r.path === '/v1/chat/completions');
    assert.ok(seen);
    assert.equal(seen.headers['host'], configured.address);
    assert.equal(seen.headers['routing-strategy'], undefined);
    assert.equal(seen.headers['x-secret-hop'], undefined, 'headers named by Connection are hop-by-hop');
  });
});
