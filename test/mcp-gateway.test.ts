/**
 * The MCP gateway end to end: the real CLI aggregating real SDK-built MCP servers (one that
 * needs an API key from the environment, one on the high-level McpServer API, one answering
 * 500 and one not listening), driven by the SDK's own client.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { type LogLine, type RunningGateway, startGateway } from './helpers/gateway-process.js';
import { rawRequest } from './helpers/http.js';
import { deadUrl, NotesBackend, startFailingServer, ToolBackend, text } from './helpers/mcp-backend.js';
import { type ConnectedClient, connectClient, metricValue, writeMcpConfig } from './helpers/mcp-client.js';

const API_KEY = 'calc-secret-7f3a9';

describe('MCP gateway: aggregation through the CLI', () => {
  let calc: ToolBackend;
  let notes: NotesBackend;
  let broken: Awaited<ReturnType<typeof startFailingServer>>;
  let gateway: RunningGateway;
  let session: ConnectedClient;

  before(async () => {
    calc = await ToolBackend.start({
      requireHeader: { name: 'x-api-key', value: API_KEY },
      tools: [
        { name: 'add', run: (a) => text(String(Number(a['a']) + Number(a['b']))) },
        { name: 'multiply', run: (a) => text(String(Number(a['a']) * Number(a['b']))) },
        {
          name: 'divide',
          run: (a) =>
            Number(a['b']) === 0
              ? text('division by zero', true)
              : text(String(Number(a['a']) / Number(a['b']))),
        },
        { name: 'drop_tables', run: () => text('dropped everything') },
      ],
    });
    notes = await NotesBackend.start();
    broken = await startFailingServer();
    const config = writeMcpConfig({
      calc: {
        type: 'streamable-http',
        url: calc.url,
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the gateway substitutes ${VAR} itself
        headers: { 'X-Api-Key': '${CALC_API_KEY}', 'X-Team': 'blue' },
        includeTools: ['add', 'multiply', 'divide'],
      },
      notes: { type: 'http', url: notes.url },
      broken: { type: 'streamableHttp', url: broken.url },
      down: { url: await deadUrl() },
    });
    gateway = await startGateway(['--mcp-config', config], { CALC_API_KEY: API_KEY });
    session = await connectClient(gateway.url);
  });

  after(async () => {
    await session?.close().catch(() => undefined);
    await gateway?.stop();
    await Promise.all([calc?.kill(), notes?.kill(), broken?.close()]);
  });

  it('starts with only MCP servers configured and says which', async () => {
    const ready = await gateway.process.waitForLog((l) => l.msg === 'switchyard listening');
    assert.deepEqual(ready['mcpServers'], ['calc', 'notes', 'broken', 'down']);
    assert.deepEqual(ready['models'], []);
  });

  it('initializes with the servers that answer and reports the ones that do not', async () => {
    // Log lines are written in batches: wait for both rather than read what has arrived.
    const skippedLine = (server: string) => (l: LogLine) =>
      l.msg === 'MCP server skipped for this session' && l['server'] === server;
    await gateway.process.waitForLog(skippedLine('broken'));
    await gateway.process.waitForLog(skippedLine('down'));
    const skipped = gateway.process.logs().filter((l) => l.msg === 'MCP server skipped for this session');
    assert.deepEqual(skipped.map((l) => [l['server'], l['reason']]).sort(), [
      ['broken', 'HTTP 500'],
      ['down', 'connection refused'],
    ]);
    assert.equal(session.client.getServerVersion()?.name, 'switchyard');
    assert.match(
      session.client.getInstructions() ?? '',
      /## notes \(tools prefixed notes__\)\nNotes are short/,
    );
  });

  it('lists every server’s tools under <server>__<tool>, without the ones includeTools leaves out', async () => {
    const { tools, nextCursor } = await session.client.listTools();
    assert.deepEqual(
      tools.map((t) => t.name),
      ['calc__add', 'calc__multiply', 'calc__divide', 'notes__search'],
    );
    assert.equal(nextCursor, undefined);
    const search = tools.find((t) => t.name === 'notes__search')!;
    assert.deepEqual(Object.keys(search.inputSchema.properties ?? {}), ['word']);
  });

  it('calls each server’s tools by prefix, with the configured headers and the key from the environment', async () => {
    const sum = await session.client.callTool({ name: 'calc__add', arguments: { a: 2, b: 3 } });
    assert.deepEqual(sum.content, [{ type: 'text', text: '5' }]);
    assert.deepEqual(calc.calls.at(-1), { name: 'add', args: { a: 2, b: 3 } });
    assert.equal(calc.lastHeaders['x-api-key'], API_KEY);
    assert.equal(calc.lastHeaders['x-team'], 'blue');

    const product = await session.client.callTool({ name: 'calc__multiply', arguments: { a: 4, b: 5 } });
    assert.deepEqual(product.content, [{ type: 'text', text: '20' }]);

    const found = await session.client.callTool({ name: 'notes__search', arguments: { word: 'gateway' } });
    assert.deepEqual(found.content, [
      { type: 'text', text: '1 note mentions gateway' },
      // Resource links come back namespaced, so reading them routes to the right server.
      { type: 'resource_link', uri: 'notes+note://welcome', name: 'welcome' },
    ]);
  });

  it('passes a tool’s own failure (isError) through as a result', async () => {
    const result = await session.client.callTool({ name: 'calc__divide', arguments: { a: 1, b: 0 } });
    assert.equal(result.isError, true);
    assert.deepEqual(result.content, [{ type: 'text', text: 'division by zero' }]);
  });

  it('refuses a tool outside includeTools with a JSON-RPC invalid-params error, without calling the server', async () => {
    const callsBefore = calc.calls.length;
    const err = await session.client.callTool({ name: 'calc__drop_tables', arguments: {} }).then(
      () => assert.fail('the call should be refused'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof McpError);
    assert.equal(err.code, -32602);
    assert.match(
      err.message,
      /calc__drop_tables" is not exposed by this gateway: it is not in the includeTools of MCP server "calc"/,
    );
    assert.equal(calc.calls.length, callsBefore);
  });

  it('refuses tools that name no configured server', async () => {
    for (const name of ['nope__add', 'add', 'calc__', 'elsewhere__add']) {
      const err = await session.client.callTool({ name, arguments: {} }).catch((e: unknown) => e);
      assert.ok(err instanceof McpError, name);
      assert.equal(err.code, -32602, name);
      assert.match(err.message, /Unknown tool/, name);
    }
  });

  it('aggregates prompts under prefixed names and routes prompts/get', async () => {
    const { prompts } = await session.client.listPrompts();
    assert.deepEqual(
      prompts.map((p) => p.name),
      ['notes__summarise'],
    );
    const prompt = await session.client.getPrompt({
      name: 'notes__summarise',
      arguments: { note: 'welcome' },
    });
    assert.deepEqual(prompt.messages, [
      { role: 'user', content: { type: 'text', text: 'Summarise the note welcome.' } },
    ]);
  });

  it('namespaces resource URIs as <server>+<uri> and reads them back from the right server', async () => {
    const { resources } = await session.client.listResources();
    assert.deepEqual(
      resources.map((r) => [r.name, r.uri]),
      [['notes__welcome', 'notes+note://welcome']],
    );
    const read = await session.client.readResource({ uri: 'notes+note://welcome' });
    assert.deepEqual(read.contents, [
      { uri: 'notes+note://welcome', mimeType: 'text/markdown', text: '# Welcome' },
    ]);

    const { resourceTemplates } = await session.client.listResourceTemplates();
    assert.deepEqual(
      resourceTemplates.map((t) => t.uriTemplate),
      ['notes+note://by-title/{title}'],
    );
    const byTitle = await session.client.readResource({ uri: 'notes+note://by-title/Hello' });
    assert.equal((byTitle.contents[0] as { text: string }).text, '# Hello');

    const err = await session.client.readResource({ uri: 'note://welcome' }).catch((e: unknown) => e);
    assert.ok(err instanceof McpError);
    assert.equal(err.code, -32602);
  });

  it('counts calls in switchyard_mcp_* metrics by server, method and outcome', async () => {
    const res = await fetch(`${gateway.adminUrl}/metrics`);
    const metrics = await res.text();
    const count = (server: string, method: string, outcome: string) =>
      metricValue(metrics, 'switchyard_mcp_requests_total', { server, method, outcome });
    assert.ok(count('calc', 'tools/call', 'ok') >= 2);
    assert.ok(count('calc', 'tools/call', 'tool_error') >= 1);
    assert.ok(count('calc', 'tools/call', 'refused') >= 1);
    assert.ok(count('unknown', 'tools/call', 'refused') >= 4);
    assert.ok(count('broken', 'initialize', 'unavailable') >= 1);
    assert.ok(count('down', 'initialize', 'unavailable') >= 1);
    assert.ok(count('notes', 'initialize', 'ok') >= 1);
    assert.ok(
      metricValue(metrics, 'switchyard_mcp_request_duration_seconds_count', {
        server: 'notes',
        method: 'tools/call',
      }) >= 1,
    );
    assert.match(metrics, /^switchyard_mcp_sessions_active [1-9]/m);
  });

  it('never writes the API key to its logs', async () => {
    await gateway.process.waitForLog((l) => l.msg === 'mcp call');
    assert.ok(!gateway.process.stdout.includes(API_KEY));
    assert.ok(!gateway.process.stderr.includes(API_KEY));
  });

  it('ends the session on DELETE: upstream sessions are deleted and the id is no longer accepted', async () => {
    const other = await connectClient(gateway.url);
    const id = other.transport.sessionId!;
    const [calcDeletes, notesDeletes] = [calc.deleteCount, notes.deleteCount];
    await other.transport.terminateSession();
    await other.client.close();
    assert.equal(calc.deleteCount, calcDeletes + 1);
    assert.equal(notes.deleteCount, notesDeletes + 1);

    const res = await rawRequest(`${gateway.url}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': id,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
    });
    assert.equal(res.status, 404);
    assert.equal(JSON.parse(res.body).error.code, -32001);
  });

  it('answers requests without a session id with 400 and bad JSON with a parse error', async () => {
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const noSession = await rawRequest(`${gateway.url}/mcp`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
    });
    assert.equal(noSession.status, 400);
    assert.match(JSON.parse(noSession.body).error.message, /send initialize first/);

    const badJson = await rawRequest(`${gateway.url}/mcp`, { method: 'POST', headers, body: '{"jsonrpc":' });
    assert.equal(badJson.status, 400);
    assert.equal(JSON.parse(badJson.body).error.code, -32700);

    const put = await rawRequest(`${gateway.url}/mcp`, { method: 'PUT' });
    assert.equal(put.status, 405);
  });
});
