// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} in strings is the config syntax under test
/** `switchyard run` with MCP configs: start-up errors, and MCP beside model routes. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeUpstream, writeEndpointsFile } from './helpers/fake-upstream.js';
import { writeTempFile } from './helpers/files.js';
import { type RunningGateway, runCli, startGateway } from './helpers/gateway-process.js';
import { ToolBackend, text } from './helpers/mcp-backend.js';
import { connectClient, writeMcpConfig } from './helpers/mcp-client.js';

const PORTS = ['--port', '0', '--admin-port', '0', '--host', '127.0.0.1', '--admin-host', '127.0.0.1'];

describe('switchyard run: MCP config errors stop the start', () => {
  const cases: [name: string, args: string[], env: Record<string, string>, code: number, stderr: RegExp][] = [
    [
      'bad JSON',
      ['--mcp-json', '{"mcpServers": '],
      {},
      1,
      /^switchyard: config error: --mcp-json: not valid JSON: /,
    ],
    [
      'an unknown transport type, naming the file, server and field',
      ['--mcp-config', writeMcpConfig({ legacy: { type: 'sse', url: 'http://127.0.0.1:1/sse' } })],
      {},
      1,
      /config error: \/.*mcp\.json: mcpServers\.legacy\.type: unsupported transport string "sse"/,
    ],
    [
      'a missing url',
      ['--mcp-json', '{"mcpServers":{"gh":{"type":"http"}}}'],
      {},
      1,
      /config error: --mcp-json: mcpServers\.gh\.url: missing/,
    ],
    [
      'an unset header variable',
      [
        '--mcp-json',
        '{"mcpServers":{"gh":{"url":"http://127.0.0.1:1/mcp","headers":{"Authorization":"Bearer ${GH_PAT}"}}}}',
      ],
      {},
      1,
      /mcpServers\.gh\.headers\.Authorization: environment variable GH_PAT is not set/,
    ],
    [
      'both --mcp-config and --mcp-json',
      ['--mcp-config', writeTempFile('x.json', '{}'), '--mcp-json', '{}'],
      {},
      2,
      /^switchyard: --mcp-config and --mcp-json are mutually exclusive; pass one\n$/,
    ],
    [
      'a page size of 0',
      ['--mcp-json', '{}', '--mcp-page-size', '0'],
      {},
      2,
      /--mcp-page-size: must be at least 1/,
    ],
    [
      'a missing file',
      ['--mcp-config', '/nonexistent/mcp.json'],
      {},
      1,
      /config error: \/nonexistent\/mcp\.json: cannot read the MCP config: ENOENT/,
    ],
  ];
  for (const [name, args, env, code, stderr] of cases) {
    it(`exits ${code} on ${name}`, async () => {
      const run = await runCli(['run', ...PORTS, ...args], env);
      assert.equal(run.code, code, run.stderr);
      assert.match(run.stderr, stderr);
      assert.equal(run.stderr.split('\n').filter(Boolean).length, 1, 'one line');
    });
  }

  it('documents the MCP flags in --help', async () => {
    const run = await runCli(['run', '--help']);
    assert.equal(run.code, 0);
    for (const flag of ['--mcp-config FILE', '--mcp-json JSON', '--mcp-page-size N'])
      assert.ok(run.stdout.includes(flag), flag);
  });
});

describe('switchyard run: MCP beside model routes', () => {
  let upstream: FakeUpstream;
  let backend: ToolBackend;
  let gateway: RunningGateway;

  before(async () => {
    upstream = await FakeUpstream.start();
    backend = await ToolBackend.start({ tools: [{ name: 'ping', run: () => text('pong') }] });
    gateway = await startGateway([
      '--endpoints-config',
      writeEndpointsFile({ 'test-model': [upstream.address] }),
      '--mcp-config',
      writeMcpConfig({ tools: { url: backend.url } }),
    ]);
  });

  after(async () => {
    await gateway?.stop();
    await Promise.all([upstream?.close(), backend?.kill()]);
  });

  it('serves the models and /mcp from one port', async () => {
    const chat = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'test-model', messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(chat.status, 200);
    await chat.arrayBuffer();

    const session = await connectClient(gateway.url);
    try {
      const result = await session.client.callTool({ name: 'tools__ping', arguments: {} });
      assert.deepEqual(result.content, [{ type: 'text', text: 'pong' }]);
    } finally {
      await session.close();
    }
  });

  it('stops cleanly on SIGTERM with an MCP session open, ending it upstream', async () => {
    const session = await connectClient(gateway.url);
    await session.client.listTools();
    const deletes = backend.deleteCount;
    assert.equal(await gateway.stop(), 0);
    assert.equal(backend.deleteCount, deletes + 1);
    await session.client.close();
  });
});

describe('switchyard run: without an MCP config', () => {
  let upstream: FakeUpstream;
  let gateway: RunningGateway;

  before(async () => {
    upstream = await FakeUpstream.start();
    gateway = await startGateway(['--endpoints-config', writeEndpointsFile({ m: [upstream.address] })]);
  });

  after(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  it('does not serve /mcp', async () => {
    const res = await fetch(`${gateway.url}/mcp`, { method: 'POST', body: '{}' });
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'unknown_url');
  });
});
