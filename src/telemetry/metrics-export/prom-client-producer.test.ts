import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AggregationTemporality, DataPointType } from '@opentelemetry/sdk-metrics';
import { Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';
import { PromClientProducer } from './prom-client-producer.js';

async function collect(registry: Registry) {
  const result = await new PromClientProducer(registry, [100, 0]).collect();
  const metrics = result.resourceMetrics.scopeMetrics[0]!.metrics;
  return Object.fromEntries(metrics.map((m) => [m.descriptor.name, m]));
}

describe('PromClientProducer', () => {
  it('turns a counter into a cumulative monotonic sum, name and labels unchanged', async () => {
    const registry = new Registry();
    const c = new Counter({ name: 'x_total', help: 'h', labelNames: ['endpoint'], registers: [registry] });
    c.inc({ endpoint: 'a:1' }, 3);
    c.inc({ endpoint: 'b:2' });
    const m = (await collect(registry))['x_total']!;
    assert.equal(m.dataPointType, DataPointType.SUM);
    assert.equal(m.aggregationTemporality, AggregationTemporality.CUMULATIVE);
    assert.equal(m.dataPointType === DataPointType.SUM && m.isMonotonic, true);
    assert.equal(m.descriptor.description, 'h');
    assert.deepEqual(
      m.dataPoints.map((p) => [p.attributes, p.value, p.startTime]),
      [
        [{ endpoint: 'a:1' }, 3, [100, 0]],
        [{ endpoint: 'b:2' }, 1, [100, 0]],
      ],
    );
  });

  it('turns a gauge into a gauge', async () => {
    const registry = new Registry();
    new Gauge({ name: 'g', help: 'h', registers: [registry] }).set(-2);
    const m = (await collect(registry))['g']!;
    assert.equal(m.dataPointType, DataPointType.GAUGE);
    assert.deepEqual(
      m.dataPoints.map((p) => p.value),
      [-2],
    );
  });

  it('turns cumulative le buckets into per-bucket counts, one point per label set', async () => {
    const registry = new Registry();
    const h = new Histogram({
      name: 'h_seconds',
      help: 'h',
      labelNames: ['op'],
      buckets: [0.1, 1, 10],
      registers: [registry],
    });
    for (const v of [0.05, 0.5, 0.7, 5, 50]) h.observe({ op: 'chat' }, v);
    h.observe({ op: 'embeddings' }, 0.01);
    const m = (await collect(registry))['h_seconds']!;
    assert.equal(m.dataPointType, DataPointType.HISTOGRAM);
    const points = m.dataPoints.map((p) => [p.attributes, p.value]);
    assert.deepEqual(points, [
      [{ op: 'chat' }, { buckets: { boundaries: [0.1, 1, 10], counts: [1, 2, 1, 1] }, sum: 56.25, count: 5 }],
      [
        { op: 'embeddings' },
        { buckets: { boundaries: [0.1, 1, 10], counts: [1, 0, 0, 0] }, sum: 0.01, count: 1 },
      ],
    ]);
  });

  it('leaves out summaries and metrics without a series yet', async () => {
    const registry = new Registry();
    new Summary({ name: 's', help: 'h', registers: [registry] }).observe(1);
    new Counter({ name: 'untouched_total', help: 'h', labelNames: ['a'], registers: [registry] });
    new Counter({ name: 'kept_total', help: 'h', registers: [registry] });
    assert.deepEqual(Object.keys(await collect(registry)), ['kept_total']);
  });
});
