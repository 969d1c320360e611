/**
 * The gateway's prom-client registry as OpenTelemetry metric data, so the series served on
 * `/metrics` can be pushed over OTLP with the same names, label names and values. Nothing
 * is recorded twice: each export reads the registry, as a Prometheus scrape would.
 * Imported only when metrics export is on (it loads the OpenTelemetry metrics SDK).
 *
 * Mapping (all cumulative, as Prometheus counts):
 * - counter   -> monotonic Sum (the name keeps its `_total`)
 * - gauge     -> Gauge
 * - histogram -> explicit-bucket Histogram: the `le` bounds become the boundaries, the
 *                cumulative bucket counts become per-bucket counts, plus sum and count
 * - summary   -> not exported (the gateway defines none; OpenTelemetry's SDK has no summary)
 */
import { type Attributes, type HrTime, ValueType } from '@opentelemetry/api';
import {
  AggregationTemporality,
  type CollectionResult,
  DataPointType,
  type MetricData,
  type MetricProducer,
} from '@opentelemetry/sdk-metrics';
import type { MetricObjectWithValues, MetricValueWithName, Registry } from 'prom-client';

type PromMetric = MetricObjectWithValues<MetricValueWithName<string>>;

export class PromClientProducer implements MetricProducer {
  constructor(
    private readonly registry: Registry,
    /** When the counted values started (the gateway's start), for cumulative points. */
    private readonly startTime: HrTime,
    private readonly scopeName = 'switchyard',
  ) {}

  async collect(): Promise<CollectionResult> {
    const metrics = await this.registry.getMetricsAsJSON();
    return {
      // The reader keeps its own (the SDK's) resource; only the scope metrics are used.
      resourceMetrics: {
        resource: undefined as never,
        scopeMetrics: [
          {
            scope: { name: this.scopeName },
            metrics: toMetricData(metrics as PromMetric[], this.startTime, now()),
          },
        ],
      },
      errors: [],
    };
  }
}

/** Pure conversion of `registry.getMetricsAsJSON()` output; exported for tests. */
export function toMetricData(
  metrics: readonly PromMetric[],
  startTime: HrTime,
  endTime: HrTime,
): MetricData[] {
  const out: MetricData[] = [];
  for (const metric of metrics) {
    if (metric.values.length === 0) continue; // a labelled series nobody has touched yet
    const descriptor = { name: metric.name, description: metric.help, unit: '', valueType: ValueType.DOUBLE };
    const base = { descriptor, aggregationTemporality: AggregationTemporality.CUMULATIVE };
    const point = <T>(attributes: Attributes, value: T) => ({ startTime, endTime, attributes, value });
    switch (String(metric.type)) {
      case 'counter':
        out.push({
          ...base,
          dataPointType: DataPointType.SUM,
          isMonotonic: true,
          dataPoints: metric.values.map((v) => point(attributesOf(v.labels), v.value)),
        } as MetricData);
        break;
      case 'gauge':
        out.push({
          ...base,
          dataPointType: DataPointType.GAUGE,
          dataPoints: metric.values.map((v) => point(attributesOf(v.labels), v.value)),
        } as MetricData);
        break;
      case 'histogram':
        out.push({
          ...base,
          dataPointType: DataPointType.HISTOGRAM,
          dataPoints: histogramPoints(metric, point),
        } as MetricData);
        break;
      default:
        break; // summaries: see the file comment
    }
  }
  return out;
}

interface HistogramAccumulator {
  attributes: Attributes;
  bounds: { le: number; cumulative: number }[];
  sum: number;
  count: number;
}

function histogramPoints<P>(metric: PromMetric, point: (attributes: Attributes, value: unknown) => P): P[] {
  const series = new Map<string, HistogramAccumulator>();
  const seriesOf = (labels: Record<string, string | number | undefined>) => {
    const { le: _le, ...rest } = labels;
    const attributes = attributesOf(rest);
    const key = JSON.stringify(Object.entries(attributes).sort(([a], [b]) => (a < b ? -1 : 1)));
    let acc = series.get(key);
    if (!acc) {
      acc = { attributes, bounds: [], sum: 0, count: 0 };
      series.set(key, acc);
    }
    return acc;
  };
  for (const v of metric.values) {
    const acc = seriesOf(v.labels);
    if (v.metricName === `${metric.name}_bucket`) {
      const le = v.labels['le'];
      if (le !== '+Inf' && le !== undefined) acc.bounds.push({ le: Number(le), cumulative: v.value });
    } else if (v.metricName === `${metric.name}_sum`) acc.sum = v.value;
    else if (v.metricName === `${metric.name}_count`) acc.count = v.value;
  }
  return [...series.values()].map((acc) => {
    const bounds = acc.bounds.sort((a, b) => a.le - b.le);
    const counts: number[] = [];
    let below = 0;
    for (const b of bounds) {
      counts.push(b.cumulative - below);
      below = b.cumulative;
    }
    counts.push(acc.count - below); // the +Inf bucket
    return point(acc.attributes, {
      buckets: { boundaries: bounds.map((b) => b.le), counts },
      sum: acc.sum,
      count: acc.count,
    });
  });
}

function attributesOf(labels: Record<string, string | number | undefined>): Attributes {
  const out: Attributes = {};
  for (const [key, value] of Object.entries(labels)) if (value !== undefined) out[key] = String(value);
  return out;
}

function now(): HrTime {
  return hrTimeOf(Date.now());
}

export function hrTimeOf(epochMs: number): HrTime {
  return [Math.floor(epochMs / 1000), Math.round((epochMs % 1000) * 1e6)];
}
