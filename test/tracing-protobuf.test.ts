/**
 * Spans exported in OTLP's default http/protobuf encoding (the gateway's own span encoder)
 * carry exactly what the http/json encoding (the SDK's serializer) carries: two gateways,
 * one per encoding, serve the same requests and their spans are compared field by field.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type FakeUpstream, writeEndpointsFile } from './helpers/fake-upstream.js';
import { type RunningGateway, startGateway } from './helpers/gateway-process.js';
import { startOpenAIUpstream } from './helpers/openai-upstream.js';
import { OtlpReceiver, type ReceivedSpan } from './helpers/otlp-receiver.js';

describe('tracing: http/protobuf export', () => {
  let upstream: FakeUpstream;
  const receivers: Record<'json' | 'protobuf', OtlpReceiver> = {} as never;
  const gateways: Record<'json' | 'protobuf', RunningGateway> = {} as never;

  before(async () => {
    upstream = await startOpenAIUpstream();
    const file = writeEndpointsFile({ qwen: [upstream.address], 'missing-upstream': [upstream.address] });
    for (const encoding of ['json', 'protobuf'] as const) {
      receivers[encoding] = await OtlpReceiver.start();
      gateways[encoding] = await startGateway(['--endpoints-config', file], {
        OTEL_EXPORTER_OTLP_ENDPOINT: receivers[encoding].url,
        // Unset means http/protobuf, the default.
        ...(encoding === 'json' ? { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' } : {}),
        OTEL_BSP_SCHEDULE_DELAY: '20',
        OTEL_SERVICE_NAME: 'switchyard-test',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=test',
      });
    }
  });

  after(async () => {
    for (const gateway of Object.values(gateways)) await gateway?.stop();
    for (const receiver of Object.values(receivers)) await receiver?.close();
    await upstream?.close();
  });

  /** Sends the same request to both gateways and answers both spans. */
  async function both(requestId: string, body: unknown, headers: Record<string, string> = {}) {
    const spans: ReceivedSpan[] = [];
    for (const encoding of ['json', 'protobuf'] as const) {
      const res = await fetch(`${gateways[encoding].url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': requestId, ...headers },
        body: JSON.stringify(body),
      });
      await res.text();
      spans.push(await receivers[encoding].spanFor(requestId));
    }
    return { json: spans[0]!, protobuf: spans[1]! };
  }

  /** What must agree between the encodings: everything but ids and times. */
  function comparable(span: ReceivedSpan) {
    return {
      name: span.name,
      kind: span.kind,
      status: span.status,
      attributes: span.attributes,
      events: span.events.map((e) => ({ name: e.name, attributes: e.attributes })),
      resource: span.resource,
    };
  }

  it('sends protobuf to the collector', async () => {
    await both('proto-type', { model: 'qwen', messages: [{ role: 'user', content: 'hi' }] });
    assert.ok(receivers.protobuf.contentTypes.length > 0);
    assert.ok(receivers.protobuf.contentTypes.every((t) => t === 'application/x-protobuf'));
    assert.ok(receivers.json.contentTypes.every((t) => t.startsWith('application/json')));
  });

  it('records a chat completion, with the client trace continued, as http/json does', async () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const { json, protobuf } = await both(
      'proto-chat',
      { model: 'qwen', messages: [{ role: 'user', content: 'Grüße, 世界 🦊' }], temperature: 0.5 },
      { traceparent },
    );
    assert.deepEqual(comparable(protobuf), comparable(json));
    assert.equal(protobuf.traceId, '0af7651916cd43dd8448eb211c80319c');
    assert.equal(protobuf.parentSpanId, 'b7ad6b7169203331');
    assert.equal(protobuf.attributes['llm.input_messages.0.message.content'], 'Grüße, 世界 🦊');
    assert.equal(protobuf.attributes['llm.token_count.total'], 15);
    assert.ok(protobuf.endNs > protobuf.startNs);
  });

  it('records a stream with its first-token event, as http/json does', async () => {
    const { json, protobuf } = await both('proto-stream', {
      model: 'qwen',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'stream please' }],
    });
    assert.deepEqual(comparable(protobuf), comparable(json));
    assert.ok(protobuf.events.some((e) => e.name === 'First Token Stream Event'));
  });

  it('records an upstream error with its exception event, as http/json does', async () => {
    const { json, protobuf } = await both('proto-error', {
      model: 'missing-upstream',
      messages: [{ role: 'user', content: 'who?' }],
    });
    assert.deepEqual(comparable(protobuf), comparable(json));
    assert.equal(protobuf.status.code, 2);
    assert.ok(protobuf.events.some((e) => e.name === 'exception'));
  });
});
