/**
 * The overhead benchmark's summary (medians over rounds, spread, added latency) and its
 * goals (issue #10), rendered as the Markdown tables the README shows.
 */
import type { LoadStats } from './wrk.js';
import { median, spread } from './stats.js';

export const TARGETS = ['direct', 'switchyard', 'switchyard-traced', 'portkey'] as const;
export type Target = (typeof TARGETS)[number];

export const TARGET_LABELS: Readonly<Record<Target, string>> = {
  direct: 'direct to upstream (floor)',
  switchyard: 'Switchyard, tracing off',
  'switchyard-traced': 'Switchyard, tracing on',
  portkey: 'Portkey gateway',
};

export interface Scenario {
  readonly name: string;
  readonly stream: boolean;
  readonly connections: number;
}

export const SCENARIOS: readonly Scenario[] = [
  { name: 'json-c1', stream: false, connections: 1 },
  { name: 'json-c10', stream: false, connections: 10 },
  { name: 'json-c64', stream: false, connections: 64 },
  { name: 'sse-c10', stream: true, connections: 10 },
];

/** One load on one target in one round. */
export interface LoadSummary {
  readonly stats: LoadStats;
  /** CPU per request of each process (`gateway`, `upstream`, `sink`, `wrk`), ms. */
  readonly cpuMsPerRequest: Readonly<Record<string, number>>;
  /** Peak RSS of each process during the load, MB. */
  readonly peakRssMb: Readonly<Record<string, number>>;
}

/** Streamed answers timed one at a time on one target in one round. */
export interface FirstByteSummary {
  readonly requests: number;
  readonly errors: number;
  readonly firstByteMs: { readonly p50: number; readonly p90: number; readonly p99: number };
  readonly totalMs: { readonly p50: number; readonly p99: number };
}

export interface RoundResult {
  readonly loadAvg: readonly number[];
  readonly loads: Readonly<Record<string, Readonly<Record<string, LoadSummary>>>>;
  readonly streams: Readonly<Record<string, FirstByteSummary>>;
}

export interface CellSummary {
  readonly requestsPerSecond: number;
  /** (max - min) / median of the rounds' requests/s. */
  readonly requestsPerSecondSpread: number;
  readonly requestsPerSecondRounds: readonly number[];
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Median over rounds; for `direct`, the upstream's own CPU. */
  readonly cpuMsPerRequest: number;
  /** Largest over rounds; for `direct`, the upstream's. */
  readonly peakRssMb: number;
  readonly errors: number;
}

export interface StreamSummary {
  readonly firstByteP50Ms: number;
  readonly firstByteP99Ms: number;
  /** Median over rounds of (this target's p50 - direct's p50). */
  readonly addedFirstByteP50Ms: number;
  readonly errors: number;
}

export interface Goal {
  readonly goal: string;
  readonly measured: string;
  readonly met: boolean;
}

export interface Summary {
  readonly loads: Record<string, Record<string, CellSummary>>;
  readonly streams: Record<string, StreamSummary>;
  /** Median over rounds of (p50 at 1 connection - direct's p50 at 1 connection), ms. */
  readonly addedP50MsAtOneConnection: Record<string, number>;
  readonly goals: readonly Goal[];
}

const round3 = (v: number) => Math.round(v * 1000) / 1000;

/** The process that stands for a target: the gateway, or the upstream itself for `direct`. */
function own(target: string): string {
  return target === 'direct' ? 'upstream' : 'gateway';
}

export function summarize(rounds: readonly RoundResult[]): Summary {
  const loads: Record<string, Record<string, CellSummary>> = {};
  for (const scenario of SCENARIOS) {
    loads[scenario.name] = {};
    for (const target of TARGETS) {
      const cells = rounds.map((r) => r.loads[scenario.name]?.[target]).filter((c) => c !== undefined);
      if (cells.length === 0) continue;
      const rps = cells.map((c) => c.stats.requestsPerSecond);
      loads[scenario.name]![target] = {
        requestsPerSecond: Math.round(median(rps)),
        requestsPerSecondSpread: round3(spread(rps)),
        requestsPerSecondRounds: rps,
        p50Ms: round3(median(cells.map((c) => c.stats.latencyMs.p50))),
        p99Ms: round3(median(cells.map((c) => c.stats.latencyMs.p99))),
        cpuMsPerRequest: round3(median(cells.map((c) => c.cpuMsPerRequest[own(target)] ?? NaN))),
        peakRssMb: Math.max(...cells.map((c) => c.peakRssMb[own(target)] ?? NaN)),
        errors: cells.reduce((n, c) => n + c.stats.errors, 0),
      };
    }
  }
  const streams: Record<string, StreamSummary> = {};
  const addedP50MsAtOneConnection: Record<string, number> = {};
  for (const target of TARGETS) {
    const s = rounds.map((r) => r.streams[target]).filter((x) => x !== undefined);
    if (s.length === 0) continue;
    streams[target] = {
      firstByteP50Ms: round3(median(s.map((x) => x.firstByteMs.p50))),
      firstByteP99Ms: round3(median(s.map((x) => x.firstByteMs.p99))),
      addedFirstByteP50Ms: round3(
        median(
          rounds.map(
            (r) =>
              (r.streams[target]?.firstByteMs.p50 ?? NaN) - (r.streams['direct']?.firstByteMs.p50 ?? NaN),
          ),
        ),
      ),
      errors: s.reduce((n, x) => n + x.errors, 0),
    };
    addedP50MsAtOneConnection[target] = round3(
      median(
        rounds.map(
          (r) =>
            (r.loads['json-c1']?.[target]?.stats.latencyMs.p50 ?? NaN) -
            (r.loads['json-c1']?.['direct']?.stats.latencyMs.p50 ?? NaN),
        ),
      ),
    );
  }
  return {
    loads,
    streams,
    addedP50MsAtOneConnection,
    goals: goals(rounds, loads, streams, addedP50MsAtOneConnection),
  };
}

/**
 * The goals, each from paired measurements: a ratio between two targets is taken within
 * each round (their loads ran minutes apart at most) and the median of those is reported,
 * so a slow stretch of the shared machine weighs on both sides of a ratio.
 */
function goals(
  rounds: readonly RoundResult[],
  loads: Summary['loads'],
  streams: Summary['streams'],
  added: Summary['addedP50MsAtOneConnection'],
): Goal[] {
  const out: Goal[] = [];
  const paired = (scenario: string, a: Target, b: Target, read: (l: LoadSummary) => number) =>
    median(
      rounds.map((r) => {
        const x = r.loads[scenario]?.[a];
        const y = r.loads[scenario]?.[b];
        return x && y ? read(x) / read(y) : NaN;
      }),
    );
  const rps = (l: LoadSummary) => l.stats.requestsPerSecond;
  const p99 = (l: LoadSummary) => l.stats.latencyMs.p99;
  const traced = loads['json-c10']?.['switchyard-traced'];
  const portkey = loads['json-c10']?.['portkey'];
  if (traced && portkey) {
    const ratio = paired('json-c10', 'switchyard-traced', 'portkey', rps);
    out.push({
      goal: "req/s at 10 connections >= 3x Portkey's",
      measured: `${ratio.toFixed(2)}x (medians ${traced.requestsPerSecond} vs ${portkey.requestsPerSecond})`,
      met: ratio >= 3,
    });
    const p99Ratio = paired('json-c10', 'switchyard-traced', 'portkey', p99);
    out.push({
      goal: "p99 at 10 connections <= half of Portkey's",
      measured: `${p99Ratio.toFixed(2)}x (medians ${traced.p99Ms} vs ${portkey.p99Ms} ms)`,
      met: p99Ratio <= 0.5,
    });
  }
  if (added['switchyard-traced'] !== undefined) {
    const v = added['switchyard-traced'];
    out.push({ goal: 'added p50 latency at 1 connection < 0.5 ms', measured: `${v} ms`, met: v < 0.5 });
  }
  const ttfb = streams['switchyard-traced']?.addedFirstByteP50Ms;
  if (ttfb !== undefined) {
    out.push({
      goal: 'added time to first byte (streams, p50) < 1 ms',
      measured: `${ttfb} ms`,
      met: ttfb < 1,
    });
  }
  const rss = loads['json-c64']?.['switchyard-traced']?.peakRssMb;
  if (rss !== undefined) {
    out.push({
      goal: 'peak RSS at 64 connections < 150 MB',
      measured: `${rss} MB (largest of the rounds)`,
      met: rss < 150,
    });
  }
  for (const scenario of ['json-c10', 'sse-c10']) {
    const off = loads[scenario]?.['switchyard'];
    const on = loads[scenario]?.['switchyard-traced'];
    if (!off || !on) continue;
    const cost = 1 - paired(scenario, 'switchyard-traced', 'switchyard', rps);
    out.push({
      goal: `tracing costs <= 15% of req/s (${scenario === 'json-c10' ? 'JSON' : 'SSE'}, 10 connections)`,
      measured: `${(cost * 100).toFixed(1)}% (medians ${on.requestsPerSecond} vs ${off.requestsPerSecond})`,
      met: cost <= 0.15,
    });
  }
  return out;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

const pct = (v: number) => `±${Math.round(v * 50)}%`;

export interface RenderInput {
  readonly summary: Summary;
  readonly settings: { readonly rounds: number; readonly durationSeconds: number; readonly streams: number };
  readonly loadAverage: { readonly before: readonly number[]; readonly after: readonly number[] };
}

export function renderReport({ summary, settings, loadAverage }: RenderInput): string {
  const { loads, streams } = summary;
  const cell = (scenario: string, target: Target) => loads[scenario]?.[target];
  const rps = (c: CellSummary | undefined) =>
    c ? `${c.requestsPerSecond} ${pct(c.requestsPerSecondSpread)}` : '-';
  const ms = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '-' : v.toFixed(2));
  const latency = table(
    [
      'target',
      'req/s, 1 conn',
      'p50 ms',
      'p99 ms',
      'req/s, 10 conn',
      'p50 ms',
      'p99 ms',
      'req/s, 64 conn',
      'p50 ms',
      'p99 ms',
    ],
    TARGETS.map((t) => [
      TARGET_LABELS[t],
      ...['json-c1', 'json-c10', 'json-c64'].flatMap((s) => [
        rps(cell(s, t)),
        ms(cell(s, t)?.p50Ms),
        ms(cell(s, t)?.p99Ms),
      ]),
    ]),
  );
  const resources = table(
    [
      'target',
      'SSE req/s, 10 conn',
      'first byte p50 ms',
      'p99 ms',
      'added p50 ms',
      'added p50 ms, 1 conn (JSON)',
      'CPU ms/req (JSON, 10 conn)',
      'CPU ms/req (SSE)',
      'peak RSS MB, 64 conn',
    ],
    TARGETS.map((t) => [
      TARGET_LABELS[t],
      rps(cell('sse-c10', t)),
      ms(streams[t]?.firstByteP50Ms),
      ms(streams[t]?.firstByteP99Ms),
      t === 'direct' ? '-' : ms(streams[t]?.addedFirstByteP50Ms),
      t === 'direct' ? '-' : ms(summary.addedP50MsAtOneConnection[t]),
      ms(cell('json-c10', t)?.cpuMsPerRequest),
      ms(cell('sse-c10', t)?.cpuMsPerRequest),
      String(cell('json-c64', t)?.peakRssMb ?? '-'),
    ]),
  );
  const goalTable = table(
    ['goal (Switchyard with tracing on)', 'measured', ''],
    summary.goals.map((g) => [g.goal, g.measured, g.met ? 'met' : 'MISSED']),
  );
  const errors = Object.values(loads)
    .flatMap((byTarget) => Object.values(byTarget))
    .reduce((n, c) => n + c.errors, 0);
  return [
    `Medians of ${settings.rounds} rounds of ${settings.durationSeconds} s per load; ±x% is half the spread (max - min) of the rounds' req/s around their median.`,
    `First byte: ${settings.streams} streamed requests one at a time per round. Load average (1, 5, 15 min) before ${loadAverage.before.join(', ')}, after ${loadAverage.after.join(', ')}. Errors: ${errors}.`,
    '',
    latency,
    '',
    resources,
    '',
    goalTable,
    '',
  ].join('\n');
}
