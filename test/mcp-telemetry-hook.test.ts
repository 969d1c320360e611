/**
 * The MCP telemetry contract as a span recorder sees it: one record per upstream call with
 * the tool, arguments, `_meta` and result; `upstreamMeta()` reaching the server (trace
 * propagation); failures recorded with their outcome; a throwing hook not breaking calls.
 * Runs a `BackendConnection` in-process against a real SDK server on loopback.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { BackendConnection } from '../src/mcp/backend-connection.js';
import { parseMcpConfig } from '../src/mcp/config.js';
import { createLogger } from '../src/telemetry/logger.js';
import {
  combineMcpTelemetry,
  type McpCallEnd,
  type McpCallStart,
  type McpTelemetry,
} from '../src/telemetry/mcp-telemetry.js';
import { ToolBackend, text } from './helpers/mcp-backend.js';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

/** What a span recorder would keep: every start with its end. */
class RecordingTelemetry implements McpTelemetry {
  readonly calls: { start: McpCallStart; end?: McpCallEnd }[] = [];
  call(start: McpCallStart) {
    const entry: { start: McpCallStart; end?: McpCallEnd } = { start };
    this.calls.push(entry);
    return {
      end: (end: McpCallEnd) => {
        entry.end = end;
      },
      upstreamMeta: () => ({ traceparent: TRACEPARENT }),
    };
  }
  session(): void {}
}

const throwing: McpTelemetry = {
  call() {
    throw new Error('broken hook');
  },
  session() {
    throw new Error('broken hook');
  },
};

describe('MCP telemetry hook', () => {
  let backend: ToolBackend;
  let connection: BackendConnection;
  const spans = new RecordingTelemetry();
  const logger = createLogger({ level: 'silent', pretty: false });

  before(async () => {
    backend = await ToolBackend.start({ tools: [{ name: 'greet', run: (a) => text(`hello ${a['who']}`) }] });
    const config = parseMcpConfig(JSON.stringify({ mcpServers: { svc: { url: backend.url } } }), 'test', {});
    connection = new BackendConnection(config.servers[0]!, {
      telemetry: combineMcpTelemetry(logger, throwing, spans),
      logger,
      initializeTimeoutMs: 5000,
      requestTimeoutMs: 5000,
      retryCooldownMs: 60_000,
      onListChanged: () => undefined,
    });
  });

  after(async () => {
    await connection?.close();
    await backend?.kill();
  });

  it('records the initialize and a tool call with its tool, arguments, _meta and result', async () => {
    assert.equal(await connection.open(), true);
    const result = await connection.call(
      'tools/call',
      { name: 'greet', arguments: { who: 'ada' }, _meta: { client: 'x' } },
      CallToolResultSchema,
      { tool: 'greet', arguments: { who: 'ada' }, meta: { client: 'x' } },
    );
    assert.deepEqual(result.content, [{ type: 'text', text: 'hello ada' }]);
    assert.deepEqual(
      spans.calls.map((c) => [c.start.server, c.start.method, c.end?.outcome]),
      [
        ['svc', 'initialize', 'ok'],
        ['svc', 'tools/call', 'ok'],
      ],
    );
    const call = spans.calls[1]!;
    assert.equal(call.start.tool, 'greet');
    assert.deepEqual(call.start.arguments, { who: 'ada' });
    assert.deepEqual(call.start.meta, { client: 'x' });
    assert.deepEqual((call.end!.result as { content: unknown }).content, [
      { type: 'text', text: 'hello ada' },
    ]);
  });

  it('adds upstreamMeta() to the request the server receives, beside the client’s _meta', () => {
    assert.deepEqual(backend.calls.at(-1)?.meta, { client: 'x', traceparent: TRACEPARENT });
  });

  it('records a failed call with its outcome and reason', async () => {
    await backend.kill();
    await assert.rejects(
      connection.call('tools/call', { name: 'greet', arguments: {} }, CallToolResultSchema, {
        tool: 'greet',
      }),
      /MCP server "svc" is unavailable/,
    );
    const last = spans.calls.at(-1)!;
    assert.equal(last.end?.outcome, 'unavailable');
    assert.equal(last.end?.errorCode, -32010);
    assert.match(last.end?.reason ?? '', /connection|network/);
  });
});
