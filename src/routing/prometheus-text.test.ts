import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePrometheusText } from './prometheus-text.js';

describe('Prometheus text', () => {
  it('reads names, labels (with escapes) and values, and skips comments and junk', () => {
    const text = [
      '# HELP vllm:num_requests_running Number of requests in model execution batches.',
      '# TYPE vllm:num_requests_running gauge',
      'vllm:num_requests_running{engine="0",model_name="Qwen/Qwen3-8B"} 3.0',
      'vllm:kv_cache_usage_perc{model_name="a \\"quoted\\", name"} 0.25 1700000000000',
      'plain_metric 7',
      'inf_metric +Inf',
      'this is not a sample',
      '',
    ].join('\n');
    assert.deepEqual(parsePrometheusText(text), [
      { name: 'vllm:num_requests_running', labels: { engine: '0', model_name: 'Qwen/Qwen3-8B' }, value: 3 },
      { name: 'vllm:kv_cache_usage_perc', labels: { model_name: 'a "quoted", name' }, value: 0.25 },
      { name: 'plain_metric', labels: {}, value: 7 },
      { name: 'inf_metric', labels: {}, value: Number.POSITIVE_INFINITY },
    ]);
  });
});
