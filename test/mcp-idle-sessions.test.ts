/**
 * Sessions a client abandons (no DELETE, no open notification stream) are closed after the
 * idle time, and their upstream sessions ended. Runs the `McpGateway` in-process on loopback
 * with a short idle time against a real SDK server.
 */
import assert from 'node:assert/strict';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { parseMcpConfig } from '../src/mcp/config.js';
import { McpGateway } from '../src/mcp/mcp-gateway.js';
import { createLogger } from '../src/telemetry/logger.js';
import type { McpTelemetry } from '../src/telemetry/mcp-telemetry.js';
import { rawRequest } from './helpers/http.js';
import { ToolBackend, text } from './helpers/mcp-backend.js';
import { waitFor } from './helpers/mcp-client.js';

describe('MCP gateway: idle sessions', () => {
  let backend: ToolBackend;
  let gateway: McpGateway;
  let server: Server;
  const sessionEvents: string[] = [];

  before(async () => {
    backend = await ToolBackend.start({ tools: [{ name: 'echo', run: () => text('echo') }] });
    const telemetry: McpTelemetry = {
      call: () => ({ end: () => undefined }),
      session: (event) => sessionEvents.push(event),
    };
    gateway = new McpGateway({
      config: parseMcpConfig(JSON.stringify({ mcpServers: { svc: { url: backend.url } } }), 'test', {}),
      telemetry,
      logger: createLogger({ level: 'silent', pretty: false }),
      maxBodyBytes: 1 << 20,
      initializeTimeoutMs: 5000,
      requestTimeoutMs: 5000,
      pageSize: 100,
      sessionIdleMs: 300,
      retryCooldownMs: 1000,
    });
    server = http.createServer((req, res) => void gateway.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  after(async () => {
    await gateway?.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await backend?.kill();
  });

  it('closes an abandoned session and ends its upstream session', async () => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const init = await rawRequest(url, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: {
          protocolVersion: '2025-06-18',
          capabilities: {},
          clientInfo: { name: 'raw', version: '1' },
        },
      }),
    });
    assert.equal(init.status, 200);
    const sessionId = init.headers['mcp-session-id'] as string;
    assert.ok(sessionId);
    assert.equal(gateway.sessionCount, 1);
    assert.deepEqual(sessionEvents, ['opened']);

    await waitFor('the idle session to close', () => gateway.sessionCount === 0, 10_000);
    assert.deepEqual(sessionEvents, ['opened', 'closed']);
    assert.equal(backend.deleteCount, 1);
    const later = await rawRequest(url, {
      method: 'POST',
      headers: { ...headers, 'mcp-session-id': sessionId },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} }),
    });
    assert.equal(later.status, 404);
  });
});
