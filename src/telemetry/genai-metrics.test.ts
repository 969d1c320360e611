import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { GenAiMetrics, REQUEST_DURATION_BUCKETS } from './genai-metrics.js';

const LABELS = {
  gen_ai_operation_name: 'chat',
  gen_ai_provider_name: 'openai',
  gen_ai_original_model: 'gpt',
  gen_ai_request_model: 'gpt-override',
  gen_ai_response_model: 'gpt-2025',
  team_id: 'red',
};

async function series(registry: Registry, name: string): Promise<string[]> {
  const text = await registry.metrics();
  return text.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
}

describe('GenAiMetrics', () => {
  it('records one token observation per reported type, with Envoy AI Gateway labels', async () => {
    const registry = new Registry();
    const m = new GenAiMetrics(registry, ['team_id']);
    m.recordTokens(LABELS, { input: 10, cachedInput: 4, output: 3, reasoning: 1, total: 13 }, 'chat');
    m.recordTokens(
      { ...LABELS, gen_ai_operation_name: 'embeddings' },
      { input: 6, output: 0, total: 6 },
      'embeddings',
    );
    const sums = await series(registry, 'gen_ai_client_token_usage_sum');
    const base =
      'gen_ai_operation_name="chat",gen_ai_provider_name="openai",gen_ai_original_model="gpt",gen_ai_request_model="gpt-override",gen_ai_response_model="gpt-2025",team_id="red"';
    assert.deepEqual(sums, [
      `gen_ai_client_token_usage_sum{${base},gen_ai_token_type="input"} 10`,
      `gen_ai_client_token_usage_sum{${base},gen_ai_token_type="cached_input"} 4`,
      `gen_ai_client_token_usage_sum{${base},gen_ai_token_type="output"} 3`,
      `gen_ai_client_token_usage_sum{${base},gen_ai_token_type="reasoning"} 1`,
      `gen_ai_client_token_usage_sum{${base.replace('"chat"', '"embeddings"')},gen_ai_token_type="input"} 6`,
    ]);
  });

  it('adds error_type only to failed requests, and uses the aigw buckets', async () => {
    const registry = new Registry();
    const m = new GenAiMetrics(registry, []);
    const labels = { ...LABELS };
    delete (labels as Record<string, string>)['team_id'];
    m.recordRequest(labels, 0.05, undefined);
    m.recordRequest(labels, 0.5, '404');
    const counts = await series(registry, 'gen_ai_server_request_duration_seconds_count');
    assert.equal(counts.length, 2);
    assert.match(counts[0]!, /gen_ai_response_model="gpt-2025"} 1$/);
    assert.match(counts[1]!, /error_type="404"} 1$/);
    const buckets = (await series(registry, 'gen_ai_server_request_duration_seconds_bucket')).slice(0, 15);
    assert.deepEqual(
      buckets.map((l) => /le="([^"]+)"/.exec(l)![1]),
      [...REQUEST_DURATION_BUCKETS.map(String), '+Inf'],
    );
  });

  it('records time to first token, and time per output token only with more than one token', async () => {
    const registry = new Registry();
    const m = new GenAiMetrics(registry, ['team_id']);
    m.recordTokenTiming(LABELS, 0.2, 1.2, 11);
    m.recordTokenTiming(LABELS, 0.3, 0.4, 1);
    m.recordTokenTiming(LABELS, 0.3, 0.4, undefined);
    const ttft = await series(registry, 'gen_ai_server_time_to_first_token_seconds_count');
    const tpot = await series(registry, 'gen_ai_server_time_per_output_token_seconds_sum');
    assert.match(ttft[0]!, / 3$/);
    assert.equal(tpot.length, 1);
    assert.match(tpot[0]!, / 0\.1$/);
  });
});
