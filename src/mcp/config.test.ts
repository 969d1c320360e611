// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} in strings is the config syntax under test
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../config/config-error.js';
import { loadMcpConfig, parseMcpConfig } from './config.js';

const env = { GH_TOKEN: 'ghp_secret', TEAM: 'blue' };

function parse(doc: unknown, source = 'mcp.json') {
  return parseMcpConfig(typeof doc === 'string' ? doc : JSON.stringify(doc), source, env);
}

function failure(doc: unknown): string {
  try {
    parse(doc);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err.message;
  }
  return assert.fail('expected a ConfigError');
}

describe('parseMcpConfig', () => {
  it('reads every accepted field, in config order, with ${VAR} substituted in every header', () => {
    const config = parse({
      mcpServers: {
        github: {
          type: 'http',
          url: 'https://api.githubcopilot.com/mcp/readonly',
          headers: { Authorization: 'Bearer ${GH_TOKEN}', 'X-Team': '${TEAM}-team', 'X-Plain': 'as is' },
          includeTools: ['search_issues', 'get_issue'],
        },
        local: { type: 'streamable_http', url: 'http://127.0.0.1:3000/mcp' },
        camel: { type: 'streamableHttp', url: 'http://[::1]:3001/mcp' },
        dashed: { type: 'streamable-http', url: 'http://localhost:3002' },
        untyped: { url: 'http://localhost:3003/mcp' },
      },
    });
    assert.equal(config.source, 'mcp.json');
    assert.deepEqual(
      config.servers.map((s) => s.name),
      ['github', 'local', 'camel', 'dashed', 'untyped'],
    );
    const [github, local] = config.servers;
    assert.equal(github!.url.href, 'https://api.githubcopilot.com/mcp/readonly');
    assert.deepEqual(github!.headers, {
      Authorization: 'Bearer ghp_secret',
      'X-Team': 'blue-team',
      'X-Plain': 'as is',
    });
    assert.deepEqual([...github!.includeTools!], ['search_issues', 'get_issue']);
    assert.deepEqual(local!.headers, {});
    assert.equal(local!.includeTools, undefined);
  });

  const cases: [string, unknown, RegExp][] = [
    ['bad JSON', '{"mcpServers": {', /^mcp\.json: not valid JSON: /],
    ['not an object', '[1]', /^mcp\.json: expected a mapping, got a list/],
    ['no mcpServers', {}, /^mcp\.json: mcpServers: missing/],
    ['unknown top-level key', { mcpServers: {}, servers: {} }, /^mcp\.json: servers: unknown key "servers"/],
    ['no server', { mcpServers: {} }, /^mcp\.json: mcpServers: names no server/],
    [
      'unknown type',
      { mcpServers: { old: { type: 'sse', url: 'http://x/sse' } } },
      /^mcp\.json: mcpServers\.old\.type: unsupported transport string "sse"/,
    ],
    [
      'stdio server',
      { mcpServers: { fs: { command: 'npx', args: ['server-fs'] } } },
      /^mcp\.json: mcpServers\.fs\.command: stdio servers \(started by a command\) are not supported/,
    ],
    [
      'missing url',
      { mcpServers: { gh: { type: 'http' } } },
      /^mcp\.json: mcpServers\.gh\.url: missing: a streamable HTTP server needs a url$/,
    ],
    [
      'url not a string',
      { mcpServers: { gh: { url: 42 } } },
      /^mcp\.json: mcpServers\.gh\.url: expected a string/,
    ],
    [
      'bad url',
      { mcpServers: { gh: { url: 'not a url' } } },
      /^mcp\.json: mcpServers\.gh\.url: not a valid URL/,
    ],
    [
      'non-http url',
      { mcpServers: { gh: { url: 'ws://host/mcp' } } },
      /^mcp\.json: mcpServers\.gh\.url: must be an http:\/\/ or https:\/\/ URL/,
    ],
    [
      'unset variable',
      { mcpServers: { gh: { url: 'http://h/mcp', headers: { Authorization: 'Bearer ${NOPE}' } } } },
      /^mcp\.json: mcpServers\.gh\.headers\.Authorization: environment variable NOPE is not set$/,
    ],
    [
      'bad variable name',
      { mcpServers: { gh: { url: 'http://h/mcp', headers: { 'X-A': '${1X}' } } } },
      /^mcp\.json: mcpServers\.gh\.headers\.X-A: bad variable reference/,
    ],
    [
      'non-string header',
      { mcpServers: { gh: { url: 'http://h/mcp', headers: { 'X-A': 1 } } } },
      /^mcp\.json: mcpServers\.gh\.headers\.X-A: expected a string, got number$/,
    ],
    [
      'bad header name',
      { mcpServers: { gh: { url: 'http://h/mcp', headers: { 'Bad Header': 'v' } } } },
      /mcpServers\.gh\.headers\.Bad Header: not a valid HTTP header name/,
    ],
    [
      'empty includeTools',
      { mcpServers: { gh: { url: 'http://h/mcp', includeTools: [] } } },
      /mcpServers\.gh\.includeTools: is empty, which would hide every tool/,
    ],
    [
      'non-string tool',
      { mcpServers: { gh: { url: 'http://h/mcp', includeTools: ['a', 3] } } },
      /mcpServers\.gh\.includeTools\[1\]: expected a string/,
    ],
    [
      'server name with the separator',
      { mcpServers: { my__srv: { url: 'http://h/mcp' } } },
      /^mcp\.json: mcpServers\.my__srv: server name "my__srv" is not usable/,
    ],
    [
      'server name ending in _',
      { mcpServers: { srv_: { url: 'http://h/mcp' } } },
      /server name "srv_" is not usable/,
    ],
    [
      'server name with a space',
      { mcpServers: { 'my srv': { url: 'http://h/mcp' } } },
      /server name "my srv"/,
    ],
  ];
  for (const [name, doc, expected] of cases) {
    it(`rejects ${name}, naming the server and field`, () => {
      assert.match(failure(doc), expected);
    });
  }

  it('never puts a header value in an error', () => {
    const message = failure({
      mcpServers: { gh: { url: 'http://h/mcp', headers: { A: 'Bearer ${GH_TOKEN}', B: '${MISSING}' } } },
    });
    assert.ok(!message.includes('ghp_secret'));
  });
});

describe('loadMcpConfig', () => {
  it('returns undefined when no MCP config is given', () => {
    assert.equal(loadMcpConfig({}, env), undefined);
  });

  it('reads --mcp-json and names it in errors', () => {
    const config = loadMcpConfig({ json: '{"mcpServers":{"a":{"url":"http://h/mcp"}}}' }, env);
    assert.equal(config?.source, '--mcp-json');
    assert.throws(
      () => loadMcpConfig({ json: '{"mcpServers":{"a":{}}}' }, env),
      /^ConfigError: --mcp-json: mcpServers\.a\.url: missing/,
    );
  });

  it('refuses both sources at once and a file it cannot read', () => {
    assert.throws(() => loadMcpConfig({ file: 'x.json', json: '{}' }, env), /mutually exclusive/);
    assert.throws(
      () => loadMcpConfig({ file: '/nonexistent/mcp.json' }, env),
      /\/nonexistent\/mcp\.json: cannot read the MCP config: ENOENT/,
    );
  });
});
