/** A small reader for the Prometheus text format, enough to assert on metric values. */

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export class Samples {
  constructor(
    readonly samples: readonly Sample[],
    /** `# TYPE` lines: metric family name -> type. */
    readonly types: ReadonlyMap<string, string>,
  ) {}

  /** The value of the one sample named `name` whose labels include `labels`; throws if none. */
  value(name: string, labels: Record<string, string> = {}): number {
    const hits = this.samples.filter(
      (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
    );
    if (hits.length !== 1)
      throw new Error(`expected one sample ${name} ${JSON.stringify(labels)}, found ${hits.length}`);
    return hits[0]!.value;
  }

  all(name: string): Sample[] {
    return this.samples.filter((s) => s.name === name);
  }
}

export function parsePrometheus(text: string): Samples {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      types.set(name!, type!);
      continue;
    }
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unparsable metrics line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[pair[1]!] = pair[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return new Samples(samples, types);
}
