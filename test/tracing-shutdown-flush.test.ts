/** Spans still queued when the gateway is told to stop are exported before it exits. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type FakeUpstream, writeEndpointsFile } from './helpers/fake-upstream.js';
import { startGateway } from './helpers/gateway-process.js';
import { startOpenAIUpstream } from './helpers/openai-upstream.js';
import { OtlpReceiver } from './helpers/otlp-receiver.js';

describe('tracing: flush on shutdown', () => {
  let receiver: OtlpReceiver;
  let upstream: FakeUpstream;

  before(async () => {
    receiver = await OtlpReceiver.start();
    upstream = await startOpenAIUpstream();
  });

  after(async () => {
    await upstream?.close();
    await receiver?.close();
  });

  for (const protocol of ['http/json', 'http/protobuf'] as const) {
    it(`exports the queued span on SIGTERM although the batch delay is a minute away (${protocol})`, async () => {
      const requestId = `flush-${protocol}`;
      const gateway = await startGateway(
        ['--endpoints-config', writeEndpointsFile({ qwen: [upstream.address] })],
        {
          OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
          OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
          OTEL_BSP_SCHEDULE_DELAY: '60000',
        },
      );
      const res = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'x-request-id': requestId },
        body: JSON.stringify({ model: 'qwen', messages: [{ role: 'user', content: 'bye' }] }),
      });
      await res.text();
      const mine = () => receiver.spans.filter((s) => s.attributes['switchyard.request_id'] === requestId);
      assert.equal(mine().length, 0, 'nothing exported yet');
      assert.equal(await gateway.stop('SIGTERM'), 0);
      assert.deepEqual(
        mine().map((s) => s.name),
        ['ChatCompletion'],
      );
    });
  }
});
