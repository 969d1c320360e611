/**
 * Spans and metrics count the same tokens: for one set of requests (plain, streamed with
 * usage, completions, embeddings), the token counts summed over the exported spans equal
 * the sums of `gen_ai_client_token_usage` by token type.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type FakeUpstream, writeEndpointsFile } from './helpers/fake-upstream.js';
import { type RunningGateway, startGateway } from './helpers/gateway-process.js';
import { startOpenAIUpstream } from './helpers/openai-upstream.js';
import { OtlpReceiver } from './helpers/otlp-receiver.js';
import { scrapeMetrics } from './helpers/prometheus.js';

describe('token counts in spans and metrics agree', () => {
  let receiver: OtlpReceiver;
  let upstream: FakeUpstream;
  let gateway: RunningGateway;

  before(async () => {
    receiver = await OtlpReceiver.start();
    upstream = await startOpenAIUpstream();
    gateway = await startGateway(['--endpoints-config', writeEndpointsFile({ qwen: [upstream.address] })], {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '20',
    });
  });

  after(async () => {
    await gateway?.stop();
    await upstream?.close();
    await receiver?.close();
  });

  it('sums to the same totals by token type', async () => {
    const messages = [{ role: 'user', content: 'count me' }];
    const bodies: [string, unknown][] = [
      ['/v1/chat/completions', { model: 'qwen', messages }],
      ['/v1/chat/completions', { model: 'qwen', messages }],
      [
        '/v1/chat/completions',
        { model: 'qwen', messages, stream: true, stream_options: { include_usage: true } },
      ],
      ['/v1/chat/completions', { model: 'qwen', messages, stream: true }],
      ['/v1/completions', { model: 'qwen', prompt: 'count' }],
      ['/v1/embeddings', { model: 'qwen', input: ['a', 'b'] }],
    ];
    for (const [i, [path, body]] of bodies.entries()) {
      const res = await fetch(`${gateway.url}${path}`, {
        method: 'POST',
        headers: { 'x-request-id': `tok-${i}` },
        body: JSON.stringify(body),
      });
      assert.equal(res.status, 200);
      await res.text();
    }
    const spans = await receiver.waitForSpans(
      (s) => String(s.attributes['switchyard.request_id']).startsWith('tok-'),
      bodies.length,
    );
    const samples = await scrapeMetrics(gateway.adminUrl);
    const spanSum = (key: string) => spans.reduce((sum, s) => sum + Number(s.attributes[key] ?? 0), 0);
    const metricSum = (type: string) =>
      samples.total('gen_ai_client_token_usage_sum', { gen_ai_token_type: type });

    const pairs = {
      input: [spanSum('llm.token_count.prompt'), metricSum('input')],
      output: [spanSum('llm.token_count.completion'), metricSum('output')],
      cached_input: [spanSum('llm.token_count.prompt_details.cache_read'), metricSum('cached_input')],
      reasoning: [spanSum('llm.token_count.completion_details.reasoning'), metricSum('reasoning')],
    };
    // 3 chat answers with usage (the stream without include_usage reports none) + completion + embeddings.
    assert.deepEqual(pairs, {
      input: [3 * 11 + 2 + 6, 3 * 11 + 2 + 6],
      output: [3 * 4 + 3, 3 * 4 + 3],
      cached_input: [3 * 3, 3 * 3],
      reasoning: [3, 3],
    });
  });
});
