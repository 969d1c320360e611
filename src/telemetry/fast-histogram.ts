/**
 * A Prometheus histogram for the request path. It exports exactly what prom-client's
 * `Histogram` exports (the tests compare the two line for line) and registers in the same
 * `Registry`, but it is observed through children bound to one set of label values, found
 * by one map lookup: an observation costs a bucket search and three additions, where
 * prom-client validates, sorts and hashes the labels of every observation.
 *
 * Label values are passed in `labelNames` order; `undefined` leaves that label out of the
 * series (as an observation without it does in prom-client).
 */
import type { Registry } from 'prom-client';

export interface HistogramChild {
  observe(value: number): void;
}

/** One exported sample, in prom-client's shape (`sharedLabels` are the series' labels). */
interface Sample {
  readonly value: number;
  readonly labels: Record<string, string | number>;
  readonly sharedLabels?: Readonly<Record<string, string>>;
  readonly metricName: string;
  readonly exemplar?: null | undefined;
}

class Child implements HistogramChild {
  /** Observations per bucket (not cumulative); the last slot counts those above every bound. */
  readonly counts: number[];
  sum = 0;
  count = 0;

  constructor(
    private readonly bounds: readonly number[],
    readonly labels: Readonly<Record<string, string>>,
  ) {
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }

  observe(value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
  }
}

export class FastHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private children = new Map<string, Child>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    private readonly buckets: readonly number[],
    registry: Registry,
  ) {
    registry.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  /** The child for these label values (in `labelNames` order), created on first use. */
  child(values: readonly (string | undefined)[]): HistogramChild {
    let key = '';
    for (const value of values) key += value === undefined ? '\u0001\u0000' : `${value}\u0000`;
    let child = this.children.get(key);
    if (!child) {
      const labels: Record<string, string> = {};
      this.labelNames.forEach((name, i) => {
        const value = values[i];
        if (value !== undefined) labels[name] = value;
      });
      child = new Child(this.buckets, labels);
      this.children.set(key, child);
    }
    return child;
  }

  reset(): void {
    this.children = new Map();
  }

  /** For the registry's text format: bucket samples carry `le`, the series' labels are shared. */
  async getForPromString() {
    const values: Sample[] = [];
    const bucketName = `${this.name}_bucket`;
    for (const child of this.children.values()) {
      let cumulative = 0;
      this.buckets.forEach((bound, i) => {
        cumulative += child.counts[i]!;
        values.push({
          labels: { le: bound },
          value: cumulative,
          metricName: bucketName,
          exemplar: null,
          sharedLabels: child.labels,
        });
      });
      values.push({
        labels: { le: '+Inf' },
        value: child.count,
        metricName: bucketName,
        exemplar: null,
        sharedLabels: child.labels,
      });
      values.push({
        labels: {},
        value: child.sum,
        metricName: `${this.name}_sum`,
        exemplar: undefined,
        sharedLabels: child.labels,
      });
      values.push({
        labels: {},
        value: child.count,
        metricName: `${this.name}_count`,
        exemplar: undefined,
        sharedLabels: child.labels,
      });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  /** For the registry's JSON: the series' labels merged into each sample's. */
  async get() {
    const data = await this.getForPromString();
    return {
      ...data,
      values: data.values.map(({ sharedLabels, labels, ...sample }) => ({
        ...sample,
        labels: { ...labels, ...sharedLabels },
      })),
    };
  }
}
