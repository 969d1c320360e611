/**
 * The official MCP Inspector, in CLI mode, lists and calls a tool through the gateway.
 *
 * Inspector 0.15.0 is pinned: it is the last release whose `engines` accept Node 20 (later
 * ones ask for Node >= 22.7.5), and its CLI already speaks streamable HTTP. It runs as a
 * user runs it (`mcp-inspector --cli URL --transport http --method ...`), with the SDK
 * version the gateway itself uses. See the README's MCP section.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RunningGateway, startGateway } from './helpers/gateway-process.js';
import { ToolBackend, text } from './helpers/mcp-backend.js';
import { writeMcpConfig } from './helpers/mcp-client.js';

const INSPECTOR = join(
  dirname(createRequire(import.meta.url).resolve('@modelcontextprotocol/inspector/package.json')),
  'cli/build/cli.js',
);

function inspector(
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [INSPECTOR, '--cli', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('MCP Inspector CLI through the gateway', () => {
  let backend: ToolBackend;
  let gateway: RunningGateway;

  before(async () => {
    backend = await ToolBackend.start({
      tools: [
        { name: 'echo', description: 'Repeats what it is told', run: (a) => text(`echo: ${a['say']}`) },
        { name: 'hidden', run: () => text('should not be listed') },
      ],
    });
    const config = writeMcpConfig({ svc: { url: backend.url, includeTools: ['echo'] } });
    gateway = await startGateway(['--mcp-config', config]);
  });

  after(async () => {
    await gateway?.stop();
    await backend?.kill();
  });

  it('lists the gateway’s tools', async () => {
    const run = await inspector([`${gateway.url}/mcp`, '--transport', 'http', '--method', 'tools/list']);
    assert.equal(run.code, 0, run.stderr);
    const listed = JSON.parse(run.stdout) as { tools: { name: string; description: string }[] };
    assert.deepEqual(
      listed.tools.map((t) => [t.name, t.description]),
      [['svc__echo', 'Repeats what it is told']],
    );
  });

  it('calls a tool', async () => {
    const run = await inspector([
      `${gateway.url}/mcp`,
      '--transport',
      'http',
      '--method',
      'tools/call',
      '--tool-name',
      'svc__echo',
      '--tool-arg',
      'say=hello from the inspector',
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), {
      content: [{ type: 'text', text: 'echo: hello from the inspector' }],
    });
    assert.deepEqual(backend.calls.at(-1), { name: 'echo', args: { say: 'hello from the inspector' } });
  });
});
