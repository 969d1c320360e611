/**
 * The admin `/metrics` of the real gateway (tracing off): Envoy AI Gateway's GenAI
 * histograms with their labels, header-mapped labels, stream timings, error types, and
 * Switchyard's routing series.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type FakeUpstream, writeEndpointsFile } from './helpers/fake-upstream.js';
import { type RunningGateway, startGateway } from './helpers/gateway-process.js';
import { CHAT_USAGE, startOpenAIUpstream } from './helpers/openai-upstream.js';
import { type Samples, scrapeMetrics } from './helpers/prometheus.js';

describe('GenAI and routing metrics on /metrics', () => {
  let upstream: FakeUpstream;
  let gateway: RunningGateway;
  let samples: Samples;

  before(async () => {
    upstream = await startOpenAIUpstream();
    const file = writeEndpointsFile({ qwen: [upstream.address], 'missing-upstream': [upstream.address] });
    gateway = await startGateway(['--endpoints-config', file], {
      OTEL_AIGW_METRICS_REQUEST_HEADER_ATTRIBUTES: 'x-team-id:team.id',
    });
    const send = (body: unknown, team: string) =>
      fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'x-team-id': team },
        body: JSON.stringify(body),
      }).then((r) => r.text());
    const messages = [{ role: 'user', content: 'hi' }];
    await send({ model: 'qwen', messages }, 'red');
    await send({ model: 'qwen', messages, stream: true, stream_options: { include_usage: true } }, 'blue');
    await send({ model: 'missing-upstream', messages }, 'red');
    samples = await scrapeMetrics(gateway.adminUrl);
  });

  after(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  const base = {
    gen_ai_operation_name: 'chat',
    gen_ai_provider_name: 'openai',
    gen_ai_original_model: 'qwen',
    gen_ai_request_model: 'qwen',
    gen_ai_response_model: 'qwen-2025',
  };

  it('records token usage by type, with the mapped header as a label', () => {
    for (const [type, count] of [
      ['input', CHAT_USAGE.prompt_tokens],
      ['cached_input', 3],
      ['output', CHAT_USAGE.completion_tokens],
      ['reasoning', 1],
    ] as const) {
      const where = { ...base, gen_ai_token_type: type, team_id: 'red' };
      assert.equal(samples.total('gen_ai_client_token_usage_sum', where), count, type);
      assert.equal(samples.total('gen_ai_client_token_usage_count', where), 1, type);
      assert.equal(
        samples.total('gen_ai_client_token_usage_sum', { ...where, team_id: 'blue' }),
        count,
        type,
      );
    }
  });

  it('records request duration, with error_type only on the failed request', () => {
    const ok = samples.samples.filter(
      (s) => s.name === 'gen_ai_server_request_duration_seconds_count' && s.value > 0,
    );
    const byJson = (a: object, b: object) => JSON.stringify(a).localeCompare(JSON.stringify(b));
    assert.deepEqual(
      ok.map((s) => s.labels).sort(byJson),
      [
        { ...base, team_id: 'blue' },
        { ...base, team_id: 'red' },
        {
          ...base,
          gen_ai_original_model: 'missing-upstream',
          gen_ai_request_model: 'missing-upstream',
          gen_ai_response_model: 'unknown',
          team_id: 'red',
          error_type: '404',
        },
      ].sort(byJson),
    );
    const buckets = samples.samples
      .filter(
        (s) => s.name === 'gen_ai_server_request_duration_seconds_bucket' && s.labels['team_id'] === 'blue',
      )
      .map((s) => s.labels['le']);
    assert.deepEqual(buckets, [
      '0.01',
      '0.02',
      '0.04',
      '0.08',
      '0.16',
      '0.32',
      '0.64',
      '1.28',
      '2.56',
      '5.12',
      '10.24',
      '20.48',
      '40.96',
      '81.92',
      '+Inf',
    ]);
  });

  it('records time to first token and per output token for the stream only', () => {
    assert.equal(
      samples.total('gen_ai_server_time_to_first_token_seconds_count', { ...base, team_id: 'blue' }),
      1,
    );
    assert.equal(samples.total('gen_ai_server_time_to_first_token_seconds_count', { team_id: 'red' }), 0);
    assert.equal(
      samples.total('gen_ai_server_time_per_output_token_seconds_count', { ...base, team_id: 'blue' }),
      1,
    );
  });

  it("keeps Switchyard's routing series", () => {
    const endpoint = upstream.address;
    assert.equal(
      samples.total('switchyard_routing_decisions_total', { algorithm: 'random', model: 'qwen', endpoint }),
      2,
    );
    assert.equal(
      samples.total('switchyard_routing_fallbacks_total', { algorithm: 'random', model: 'qwen' }),
      0,
    );
    assert.equal(samples.total('switchyard_endpoint_in_flight', { endpoint }), 0);
    assert.equal(samples.total('switchyard_endpoint_healthy', { endpoint }), 1);
    assert.equal(samples.total('switchyard_gateway_overhead_seconds_count', { operation: 'chat' }), 3);
    assert.ok(samples.total('switchyard_gateway_overhead_seconds_sum', { operation: 'chat' }) > 0);
  });
});
