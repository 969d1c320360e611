/**
 * MCP calls through the real gateway become spans: `CallTool` as an OpenInference TOOL span
 * (tool name, arguments, result), the client's `_meta.traceparent` continued and the
 * gateway's own span passed on to the MCP server; a tool error marks the span ERROR; with
 * the hide variables, arguments and results are redacted.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningGateway, startGateway } from './helpers/gateway-process.js';
import { text, ToolBackend } from './helpers/mcp-backend.js';
import { type ConnectedClient, connectClient } from './helpers/mcp-client.js';
import { OtlpReceiver } from './helpers/otlp-receiver.js';

const SPAN_KIND_CLIENT = 3;
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('tracing: MCP tool calls', () => {
  let receiver: OtlpReceiver;
  let backend: ToolBackend;

  before(async () => {
    receiver = await OtlpReceiver.start();
    backend = await ToolBackend.start({
      tools: [
        { name: 'greet', run: (a) => text(`hello ${a['who']}`) },
        { name: 'fail', run: () => text('no such city', true) },
      ],
    });
  });

  after(async () => {
    await backend?.kill();
    await receiver?.close();
  });

  async function gatewayWith(
    env: Record<string, string>,
  ): Promise<{ gateway: RunningGateway; session: ConnectedClient }> {
    const gateway = await startGateway(
      ['--mcp-json', JSON.stringify({ mcpServers: { svc: { url: backend.url } } })],
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '20',
        ...env,
      },
    );
    return { gateway, session: await connectClient(gateway.url) };
  }

  it('records CallTool as a TOOL span, continuing and propagating the trace', async () => {
    const { gateway, session } = await gatewayWith({});
    try {
      const result = await session.client.callTool({
        name: 'svc__greet',
        arguments: { who: 'ada' },
        _meta: { traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` },
      });
      assert.deepEqual(result.content, [{ type: 'text', text: 'hello ada' }]);
      await session.client.callTool({ name: 'svc__fail', arguments: {} });
    } finally {
      await session.close();
      await gateway.stop();
    }
    const [call] = await receiver.waitForSpans(
      (s) => s.name === 'CallTool' && s.attributes['tool.name'] === 'greet',
    );
    assert.equal(call!.kind, SPAN_KIND_CLIENT);
    assert.equal(call!.traceId, TRACE_ID);
    assert.equal(call!.parentSpanId, '00f067aa0ba902b7');
    assert.deepEqual(call!.status, { code: 1 });
    assert.deepEqual(call!.attributes, {
      'mcp.method.name': 'tools/call',
      'mcp.transport': 'http',
      'mcp.backend.name': 'svc',
      'switchyard.mcp.outcome': 'ok',
      'openinference.span.kind': 'TOOL',
      'mcp.tool.name': 'greet',
      'tool.name': 'greet',
      'input.value': '{"who":"ada"}',
      'input.mime_type': 'application/json',
      'output.value': JSON.stringify({ content: [{ type: 'text', text: 'hello ada' }] }),
      'output.mime_type': 'application/json',
    });
    const sent = backend.calls.find((c) => c.name === 'greet')!;
    assert.equal(sent.meta?.['traceparent'], `00-${TRACE_ID}-${call!.spanId}-01`);

    const [failed] = await receiver.waitForSpans((s) => s.attributes['tool.name'] === 'fail');
    assert.equal(failed!.status.code, 2);
    assert.equal(failed!.attributes['switchyard.mcp.outcome'], 'tool_error');
    assert.equal(
      failed!.events.find((e) => e.name === 'exception')?.attributes['exception.type'],
      'tool_error',
    );
    await receiver.waitForSpans((s) => s.name === 'Initialize' && s.attributes['mcp.backend.name'] === 'svc');
  });

  it('redacts tool arguments and results with the hide variables', async () => {
    const { gateway, session } = await gatewayWith({
      OPENINFERENCE_HIDE_INPUTS: 'true',
      OPENINFERENCE_HIDE_OUTPUTS: 'true',
    });
    try {
      await session.client.callTool({ name: 'svc__greet', arguments: { who: 'secret-person-77' } });
    } finally {
      await session.close();
      await gateway.stop();
    }
    const [call] = await receiver.waitForSpans(
      (s) => s.name === 'CallTool' && s.attributes['input.value'] === '__REDACTED__',
    );
    assert.equal(call!.attributes['output.value'], '__REDACTED__');
    for (const payload of receiver.payloads) assert.equal(payload.includes('secret-person-77'), false);
  });
});
