/**
 * The MCP gateway when upstream servers misbehave: one goes away mid-session (between calls
 * and during one), one forgets its sessions (the spec's 404), and all of them are down.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { deferred } from './helpers/fake-upstream.js';
import { type RunningGateway, startGateway } from './helpers/gateway-process.js';
import { deadUrl, startFailingServer, ToolBackend, text } from './helpers/mcp-backend.js';
import {
  type ConnectedClient,
  connectClient,
  metricValue,
  waitFor,
  writeMcpConfig,
} from './helpers/mcp-client.js';

const UPSTREAM_UNAVAILABLE = -32010;

async function rejection(promise: Promise<unknown>): Promise<McpError> {
  const err = await promise.then(
    () => assert.fail('expected the call to fail'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof McpError, `expected an McpError, got ${String(err)}`);
  return err;
}

describe('MCP gateway: a server going away mid-session', () => {
  let stable: ToolBackend;
  let flaky: ToolBackend;
  let gateway: RunningGateway;
  let session: ConnectedClient;
  const slowStarted = deferred();

  before(async () => {
    stable = await ToolBackend.start({ tools: [{ name: 'echo', run: (a) => text(`stable: ${a['say']}`) }] });
    flaky = await ToolBackend.start({
      tools: [
        { name: 'echo', run: (a) => text(`flaky: ${a['say']}`) },
        {
          // Reports progress (so its response stream has started), then runs until cancelled.
          name: 'slow',
          run: async (_a, { signal, progress }) => {
            await progress(1, 10);
            slowStarted.resolve();
            return new Promise((resolve) => signal.addEventListener('abort', () => resolve(text('aborted'))));
          },
        },
      ],
    });
    const config = writeMcpConfig({ stable: { url: stable.url }, flaky: { url: flaky.url } });
    gateway = await startGateway(['--mcp-config', config]);
    session = await connectClient(gateway.url);
  });

  after(async () => {
    await session?.close().catch(() => undefined);
    await gateway?.stop();
    await Promise.all([stable?.kill(), flaky?.kill()]);
  });

  it('serves both servers while they are up', async () => {
    const { tools } = await session.client.listTools();
    assert.deepEqual(
      tools.map((t) => t.name),
      ['stable__echo', 'flaky__echo', 'flaky__slow'],
    );
    const res = await session.client.callTool({ name: 'flaky__echo', arguments: { say: 'hi' } });
    assert.deepEqual(res.content, [{ type: 'text', text: 'flaky: hi' }]);
  });

  it('relays progress, and fails a call in flight with a clean error when its server dies mid-stream', async () => {
    const progress: { progress: number; total?: number }[] = [];
    const call = session.client.callTool({ name: 'flaky__slow', arguments: {} }, undefined, {
      timeout: 30_000,
      onprogress: (p) => progress.push(p),
    });
    await slowStarted.promise;
    // The progress notification arrived through the gateway: the upstream response stream is open.
    await waitFor('the progress notification', () => progress.length > 0);
    assert.deepEqual(progress, [{ progress: 1, total: 10 }]);
    await flaky.kill();
    const err = await rejection(call);
    assert.equal(err.code, UPSTREAM_UNAVAILABLE);
    assert.match(err.message, /MCP server "flaky" is unavailable: the server dropped the connection/);
    assert.deepEqual(err.data, { server: 'flaky' });
  });

  it('answers the dead server’s tools with the same error while the other server keeps working', async () => {
    const err = await rejection(session.client.callTool({ name: 'flaky__echo', arguments: { say: 'x' } }));
    assert.equal(err.code, UPSTREAM_UNAVAILABLE);
    assert.match(err.message, /MCP server "flaky" is unavailable: /);

    const res = await session.client.callTool({ name: 'stable__echo', arguments: { say: 'still here' } });
    assert.deepEqual(res.content, [{ type: 'text', text: 'stable: still here' }]);
  });

  it('lists what the remaining server offers', async () => {
    const { tools } = await session.client.listTools();
    assert.deepEqual(
      tools.map((t) => t.name),
      ['stable__echo'],
    );
  });

  it('logs the lost connection and counts the failures as unavailable', async () => {
    await gateway.process.waitForLog(
      (l) => l.msg === 'MCP server connection lost' && l['server'] === 'flaky',
    );
    const metrics = await (await fetch(`${gateway.adminUrl}/metrics`)).text();
    assert.ok(
      metricValue(metrics, 'switchyard_mcp_requests_total', {
        server: 'flaky',
        method: 'tools/call',
        outcome: 'unavailable',
      }) >= 2,
    );
  });
});

describe('MCP gateway: an upstream session that expires', () => {
  let backend: ToolBackend;
  let gateway: RunningGateway;
  let session: ConnectedClient;

  before(async () => {
    backend = await ToolBackend.start({ tools: [{ name: 'echo', run: (a) => text(`echo: ${a['say']}`) }] });
    gateway = await startGateway([
      '--mcp-json',
      JSON.stringify({ mcpServers: { svc: { url: backend.url } } }),
    ]);
    session = await connectClient(gateway.url);
  });

  after(async () => {
    await session?.close().catch(() => undefined);
    await gateway?.stop();
    await backend?.kill();
  });

  it('re-initialises the upstream session transparently and runs the call once', async () => {
    await session.client.callTool({ name: 'svc__echo', arguments: { say: 'before' } });
    assert.equal(backend.initializeCount, 1);

    await backend.expireSessions();
    const res = await session.client.callTool({ name: 'svc__echo', arguments: { say: 'after' } });
    assert.deepEqual(res.content, [{ type: 'text', text: 'echo: after' }]);
    assert.equal(backend.initializeCount, 2);
    assert.deepEqual(
      backend.calls.map((c) => c.args['say']),
      ['before', 'after'],
    );
    await gateway.process.waitForLog((l) => l.msg === 'MCP server session expired; re-initialising');

    // The client's own session never changed.
    const { tools } = await session.client.listTools();
    assert.deepEqual(
      tools.map((t) => t.name),
      ['svc__echo'],
    );
  });
});

describe('MCP gateway: no server answers', () => {
  let failing: Awaited<ReturnType<typeof startFailingServer>>;
  let gateway: RunningGateway;

  before(async () => {
    failing = await startFailingServer();
    const config = writeMcpConfig({ a: { url: await deadUrl() }, b: { url: failing.url } });
    gateway = await startGateway(['--mcp-config', config]);
  });

  after(async () => {
    await gateway?.stop();
    await failing?.close();
  });

  it('fails the initialize with an error naming each server and why', async () => {
    const err = await rejection(connectClient(gateway.url));
    assert.equal(err.code, UPSTREAM_UNAVAILABLE);
    assert.match(err.message, /No MCP server behind this gateway answered/);
    assert.match(err.message, /a: connection refused; b: HTTP 500/);
  });
});
