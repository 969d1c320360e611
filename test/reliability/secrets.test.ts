/**
 * Secrets: recognisable keys are configured everywhere a gateway holds one (the provider key
 * of the env auto-config, client API keys, an MCP server's header), then every route is
 * driven, successes and errors, with tracing on and the most verbose logs. None of the keys
 * may appear in the gateway's logs, its exported spans, its `/metrics` or any answer a
 * client got; the provider key must still reach the provider (so the search is not
 * vacuous) and the client's key must not.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type FakeUpstream } from '../helpers/fake-upstream.js';
import { type RunningGateway, startGateway } from '../helpers/gateway-process.js';
import { text, ToolBackend } from '../helpers/mcp-backend.js';
import { connectClient } from '../helpers/mcp-client.js';
import { startOpenAIUpstream } from '../helpers/openai-upstream.js';
import { OtlpReceiver } from '../helpers/otlp-receiver.js';

const PROVIDER_KEY = 'sk-provider-SECRET-7f3a9c1e5b';
const CLIENT_KEY = 'sy-client-SECRET-d41d8cd98f';
const OTHER_CLIENT_KEY = 'sy-client-SECRET-wrong-0b1c2d';
const MCP_TOKEN = 'mcp-token-SECRET-e3b0c44298';
const SECRETS = [PROVIDER_KEY, CLIENT_KEY, OTHER_CLIENT_KEY, MCP_TOKEN];
// Parts of a key that a careless log could print (a prefix, a suffix).
const FRAGMENTS = SECRETS.flatMap((k) => [k, k.slice(-10)]);

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly headers: string;
}

describe('secrets stay out of logs, spans, metrics and answers', () => {
  let upstream: FakeUpstream;
  let receiver: OtlpReceiver;
  let tools: ToolBackend;
  let gateway: RunningGateway;
  const answers: Answer[] = [];

  before(async () => {
    upstream = await startOpenAIUpstream();
    receiver = await OtlpReceiver.start();
    tools = await ToolBackend.start({
      tools: [
        { name: 'echo', run: (a) => text(`echo ${String(a['say'])}`) },
        { name: 'boom', run: () => text('it broke', true) },
      ],
      requireHeader: { name: 'authorization', value: `Bearer ${MCP_TOKEN}` },
    });
    const mcp = {
      mcpServers: {
        svc: { type: 'http', url: tools.url, headers: { Authorization: 'Bearer ${MCP_TOKEN}' } },
      },
    };
    gateway = await startGateway(['--mcp-json', JSON.stringify(mcp), '--log-level', 'trace'], {
      OPENAI_API_KEY: PROVIDER_KEY,
      OPENAI_BASE_URL: `http://${upstream.address}/v1`,
      SWITCHYARD_API_KEYS: CLIENT_KEY,
      MCP_TOKEN,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '20',
    });
  });

  after(async () => {
    await gateway?.stop();
    await tools?.kill();
    await upstream?.close();
    await receiver?.close();
  });

  async function call(
    path: string,
    init: { method?: string; key?: string; body?: string; headers?: Record<string, string> },
  ) {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...init.headers };
    if (init.key) headers['authorization'] = `Bearer ${init.key}`;
    const res = await fetch(`${gateway.url}${path}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers,
      ...(init.body !== undefined ? { body: init.body } : {}),
    });
    const answer = { status: res.status, body: await res.text(), headers: JSON.stringify([...res.headers]) };
    answers.push(answer);
    return answer;
  }

  it('keeps every key out of what the gateway writes, exports and answers', async () => {
    const chat = (extra: Record<string, unknown> = {}) =>
      JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], ...extra });

    // Successes on every inference route, whole and streamed.
    assert.equal((await call('/v1/chat/completions', { key: CLIENT_KEY, body: chat() })).status, 200);
    const stream = await call('/v1/chat/completions', {
      key: CLIENT_KEY,
      body: chat({ stream: true, stream_options: { include_usage: true } }),
    });
    assert.equal(stream.status, 200);
    assert.match(stream.body, /\[DONE\]/);
    const completion = JSON.stringify({ model: 'gpt-4o-mini', prompt: 'hi' });
    assert.equal((await call('/v1/completions', { key: CLIENT_KEY, body: completion })).status, 200);
    const embed = JSON.stringify({ model: 'text-embedding-3-small', input: 'hi' });
    assert.equal((await call('/v1/embeddings', { key: CLIENT_KEY, body: embed })).status, 200);
    assert.equal((await call('/v1/models', { key: CLIENT_KEY })).status, 200);
    // Azure's header carries the client key too.
    assert.equal((await call('/v1/models', { headers: { 'api-key': CLIENT_KEY } })).status, 200);

    // Errors: wrong, missing and malformed keys; bad bodies; the upstream's own error.
    assert.equal((await call('/v1/chat/completions', { key: OTHER_CLIENT_KEY, body: chat() })).status, 401);
    assert.equal((await call('/v1/chat/completions', { body: chat() })).status, 401);
    const malformed = { authorization: `Basic ${CLIENT_KEY}` };
    assert.equal((await call('/v1/models', { headers: malformed })).status, 401);
    assert.equal((await call('/v1/chat/completions', { key: CLIENT_KEY, body: '{"model":' })).status, 400);
    const noMessages = JSON.stringify({ model: 'gpt-4o-mini', api_key: PROVIDER_KEY });
    assert.equal((await call('/v1/chat/completions', { key: CLIENT_KEY, body: noMessages })).status, 400);
    const missing = JSON.stringify({ model: 'missing-upstream', messages: [{ role: 'user', content: 'x' }] });
    assert.equal((await call('/v1/chat/completions', { key: CLIENT_KEY, body: missing })).status, 404);
    assert.equal((await call('/v1/nothing-here', { key: CLIENT_KEY })).status, 404);

    // MCP: the gateway's own key check, then tool calls (a result and a tool error).
    await assert.rejects(connectClient(gateway.url, 'no-key'));
    const session = await connectClient(gateway.url, 'secrets', { authorization: `Bearer ${CLIENT_KEY}` });
    try {
      const listed = await session.client.listTools();
      assert.deepEqual(listed.tools.map((t) => t.name).sort(), ['svc__boom', 'svc__echo']);
      const echoed = await session.client.callTool({ name: 'svc__echo', arguments: { say: 'x' } });
      assert.deepEqual(echoed.content, [{ type: 'text', text: 'echo x' }]);
      const failed = await session.client.callTool({ name: 'svc__boom', arguments: {} });
      assert.equal(failed.isError, true);
    } finally {
      await session.close();
    }

    // The provider got its key (the secret was in play) and never the client's.
    const sent = upstream.requests;
    assert.ok(sent.length >= 5, `the provider was called (${sent.length})`);
    for (const r of sent) {
      assert.equal(r.headers['authorization'], `Bearer ${PROVIDER_KEY}`, `${r.method} ${r.path}`);
      assert.ok(!JSON.stringify(r.headers).includes(CLIENT_KEY), 'the client key is not forwarded');
    }
    assert.ok(tools.calls.length >= 2, 'the MCP server was reached with its token');

    // Everything the gateway wrote, exported and answered.
    await receiver.waitForSpans((s) => s.name === 'ChatCompletion', 3);
    await receiver.waitForSpans((s) => s.attributes['tool.name'] !== undefined, 2);
    const metrics = await (await fetch(`${gateway.adminUrl}/metrics`)).text();
    await gateway.stop();
    const places: [string, string][] = [
      ['logs (stdout)', gateway.process.stdout],
      ['logs (stderr)', gateway.process.stderr],
      ['exported spans', receiver.payloads.join('\n')],
      ['/metrics', metrics],
      ['answers', answers.map((a) => `${a.status} ${a.headers} ${a.body}`).join('\n')],
    ];
    assert.ok(gateway.process.stdout.length > 1000, 'trace-level logs were written');
    assert.ok(receiver.payloads.length > 0, 'spans were exported');
    for (const [where, content] of places) {
      for (const secret of FRAGMENTS) assert.ok(!content.includes(secret), `${where} contain ${secret}`);
    }
  });
});
