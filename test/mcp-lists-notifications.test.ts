/**
 * Lists through the MCP gateway: servers that paginate, the cursors the gateway hands out,
 * `notifications/tools/list_changed` travelling from a server to the client, and a client's
 * cancellation travelling to the server.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { McpError, type Tool, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { type RunningGateway, startGateway } from './helpers/gateway-process.js';
import { ToolBackend, type ToolSpec, text } from './helpers/mcp-backend.js';
import { type ConnectedClient, connectClient, waitFor, writeMcpConfig } from './helpers/mcp-client.js';

const named = (name: string): ToolSpec => ({ name, run: () => text(name) });

describe('MCP gateway: pagination, list_changed and cancellation', () => {
  let paged: ToolBackend;
  let other: ToolBackend;
  let gateway: RunningGateway;
  let session: ConnectedClient;

  before(async () => {
    // Serves its 5 tools 2 at a time, with cursors.
    paged = await ToolBackend.start({ pageSize: 2, tools: ['t1', 't2', 't3', 't4', 't5'].map(named) });
    other = await ToolBackend.start({
      tools: [
        named('o1'),
        named('o2'),
        {
          name: 'wait',
          run: (_a, { signal }) =>
            new Promise((resolve) => signal.addEventListener('abort', () => resolve(text('stopped')))),
        },
      ],
    });
    const config = writeMcpConfig({ paged: { url: paged.url }, other: { url: other.url } });
    gateway = await startGateway(['--mcp-config', config, '--mcp-page-size', '3']);
    session = await connectClient(gateway.url);
  });

  after(async () => {
    await session?.close().catch(() => undefined);
    await gateway?.stop();
    await Promise.all([paged?.kill(), other?.kill()]);
  });

  async function listAllTools(): Promise<{ pages: string[][]; tools: Tool[] }> {
    const pages: string[][] = [];
    const tools: Tool[] = [];
    let cursor: string | undefined;
    do {
      const page = await session.client.listTools(cursor === undefined ? {} : { cursor });
      pages.push(page.tools.map((t) => t.name));
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor !== undefined && pages.length < 20);
    return { pages, tools };
  }

  it('follows a paginating server’s cursors and hands the client pages of --mcp-page-size', async () => {
    const { pages } = await listAllTools();
    assert.deepEqual(pages, [
      ['paged__t1', 'paged__t2', 'paged__t3'],
      ['paged__t4', 'paged__t5', 'other__o1'],
      ['other__o2', 'other__wait'],
    ]);
    // The server was drained once, for the first page; later pages came from the gateway's snapshot.
    assert.deepEqual(paged.listCursors, [undefined, 'page-2', 'page-4']);
  });

  it('rejects a cursor it did not issue with invalid params', async () => {
    const err = await session.client.listTools({ cursor: 'not-a-cursor' }).catch((e: unknown) => e);
    assert.ok(err instanceof McpError);
    assert.equal(err.code, -32602);
    assert.match(err.message, /Invalid or expired cursor/);
  });

  it('relays notifications/tools/list_changed from a server to the client', async () => {
    let notified = 0;
    session.client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      notified++;
    });
    other.addTool(named('o3'));
    // The upstream and client notification streams open asynchronously after initialize;
    // announce until one announcement has made it all the way (bounded).
    for (let attempt = 0; attempt < 50 && notified === 0; attempt++) {
      await other.announceToolsChanged();
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(notified >= 1, 'the client received tools/list_changed');
    const { tools } = await listAllTools();
    assert.ok(tools.some((t) => t.name === 'other__o3'));
  });

  it('carries a client’s cancellation to the server running the tool', async () => {
    const abort = new AbortController();
    const call = session.client.callTool({ name: 'other__wait', arguments: {} }, undefined, {
      signal: abort.signal,
    });
    await waitFor('the call to reach the server', () => other.calls.some((c) => c.name === 'wait'));
    abort.abort('user pressed stop');
    await assert.rejects(call);
    await waitFor('the server to see the cancellation', () => other.cancelled > 0);
    assert.equal(other.cancelled, 1);
  });
});
