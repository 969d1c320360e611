import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Histogram, Registry } from 'prom-client';
import { FastHistogram } from './fast-histogram.js';

const LABELS = ['operation', 'model', 'error_type'] as const;
const BUCKETS = [0.001, 0.01, 0.1, 1, 10];

/** The same observations into prom-client's histogram and into ours, each in its own registry. */
function both() {
  const reference = new Registry();
  const ours = new Registry();
  const histogram = new Histogram({
    name: 'latency_seconds',
    help: 'How long it took.',
    labelNames: LABELS,
    buckets: BUCKETS,
    registers: [reference],
  });
  const fast = new FastHistogram('latency_seconds', 'How long it took.', LABELS, BUCKETS, ours);
  const observe = (values: [string, string, string | undefined], value: number) => {
    const labels: Record<string, string> = { operation: values[0], model: values[1] };
    if (values[2] !== undefined) labels['error_type'] = values[2];
    histogram.observe(labels, value);
    fast.child(values).observe(value);
  };
  return { reference, ours, observe, fast, histogram };
}

describe('FastHistogram', () => {
  it('exports the same text and JSON as prom-client for the same observations', async () => {
    const { reference, ours, observe } = both();
    const values = [0, 0.0005, 0.001, 0.0011, 0.05, 0.1, 0.7, 1, 3.3, 10, 11, 1e6];
    values.forEach((v, i) => observe(['chat', i % 2 ? 'qwen' : 'llama "3"\\n', undefined], v));
    observe(['chat', 'qwen', '404'], 0.2);
    observe(['embeddings', 'bge', undefined], 0.02);
    assert.equal(await ours.metrics(), await reference.metrics());
    assert.deepEqual(await ours.getMetricsAsJSON(), await reference.getMetricsAsJSON());
  });

  it('keeps a series with a label left out apart from one with it', async () => {
    const { ours, fast } = both();
    fast.child(['chat', 'm', undefined]).observe(1);
    fast.child(['chat', 'm', '']).observe(1);
    const counts = (await ours.metrics()).split('\n').filter((l) => l.startsWith('latency_seconds_count'));
    assert.deepEqual(counts, [
      'latency_seconds_count{operation="chat",model="m"} 1',
      'latency_seconds_count{operation="chat",model="m",error_type=""} 1',
    ]);
  });

  it('refuses values that are not numbers, as prom-client does, and forgets everything on reset', async () => {
    const { ours, fast } = both();
    assert.throws(() => fast.child(['chat', 'm', undefined]).observe(Number.NaN), TypeError);
    fast.child(['chat', 'm', undefined]).observe(1);
    fast.reset();
    assert.doesNotMatch(await ours.metrics(), /latency_seconds_count/);
  });
});
