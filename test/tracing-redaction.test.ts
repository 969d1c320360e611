/**
 * With the OpenInference hide variables set, the secret text of a conversation never
 * leaves the gateway in a span: the raw OTLP payloads the collector receives are searched
 * for it, byte for byte.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type FakeUpstream, writeEndpointsFile } from './helpers/fake-upstream.js';
import { type RunningGateway, startGateway } from './helpers/gateway-process.js';
import { CHAT_USAGE, startOpenAIUpstream } from './helpers/openai-upstream.js';
import { OtlpReceiver } from './helpers/otlp-receiver.js';

const SECRET = 'my-card-number-4242-secret';

describe('tracing: redaction', () => {
  let receiver: OtlpReceiver;
  let upstream: FakeUpstream;
  let gateway: RunningGateway;

  before(async () => {
    receiver = await OtlpReceiver.start();
    upstream = await startOpenAIUpstream();
    const file = writeEndpointsFile({ qwen: [upstream.address], bge: [upstream.address] });
    gateway = await startGateway(['--endpoints-config', file], {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '20',
      OPENINFERENCE_HIDE_INPUTS: 'true',
      OPENINFERENCE_HIDE_OUTPUTS: 'true',
      OPENINFERENCE_HIDE_INPUT_TEXT: 'true',
      OPENINFERENCE_HIDE_OUTPUT_TEXT: 'true',
      OPENINFERENCE_HIDE_EMBEDDINGS_TEXT: 'true',
      OPENINFERENCE_HIDE_EMBEDDINGS_VECTORS: 'true',
    });
  });

  after(async () => {
    await gateway?.stop();
    await upstream?.close();
    await receiver?.close();
  });

  it('sends no prompt or answer text to the exporter, only __REDACTED__, and keeps token counts', async () => {
    const requests = [
      [
        'red-1',
        '/v1/chat/completions',
        { model: 'qwen', messages: [{ role: 'user', content: `pay with ${SECRET}` }] },
      ],
      [
        'red-2',
        '/v1/chat/completions',
        {
          model: 'qwen',
          messages: [
            { role: 'user', content: [{ type: 'text', text: SECRET }] },
            {
              role: 'assistant',
              tool_calls: [
                { id: 'c1', type: 'function', function: { name: 'pay', arguments: `{"card":"${SECRET}"}` } },
              ],
            },
          ],
          tools: [{ type: 'function', function: { name: 'pay', description: SECRET } }],
          stream: true,
          stream_options: { include_usage: true },
        },
      ],
      ['red-3', '/v1/embeddings', { model: 'bge', input: [SECRET] }],
      ['red-4', '/v1/completions', { model: 'qwen', prompt: SECRET }],
    ] as const;
    for (const [id, path, body] of requests) {
      const res = await fetch(`${gateway.url}${path}`, {
        method: 'POST',
        headers: { 'x-request-id': id },
        body: JSON.stringify(body),
      });
      const text = await res.text();
      assert.equal(res.status, 200);
      if (id !== 'red-3' && id !== 'red-4')
        assert.match(text, new RegExp(SECRET), 'the client still gets its answer');
    }
    const spans = await receiver.waitForSpans(
      (s) => String(s.attributes['switchyard.request_id']).startsWith('red-'),
      4,
    );

    for (const payload of receiver.payloads)
      assert.equal(payload.includes(SECRET), false, 'secret in an OTLP payload');
    for (const payload of receiver.payloads)
      assert.equal(payload.includes('card'), false, 'tool arguments in a payload');

    const chat = spans.find((s) => s.attributes['switchyard.request_id'] === 'red-1')!;
    assert.equal(chat.attributes['input.value'], '__REDACTED__');
    assert.equal(chat.attributes['output.value'], '__REDACTED__');
    assert.equal(chat.attributes['llm.token_count.prompt'], CHAT_USAGE.prompt_tokens);
    assert.equal(
      Object.keys(chat.attributes).some(
        (k) => k.startsWith('llm.input_messages') || k.startsWith('llm.output_messages'),
      ),
      false,
    );
    const stream = spans.find((s) => s.attributes['switchyard.request_id'] === 'red-2')!;
    assert.equal(stream.attributes['output.value'], '__REDACTED__');
    assert.equal(stream.attributes['llm.token_count.completion'], CHAT_USAGE.completion_tokens);
    assert.equal(
      Object.keys(stream.attributes).some((k) => k.startsWith('llm.tools')),
      false,
    );
  });
});
