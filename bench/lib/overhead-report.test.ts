import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type FirstByteSummary,
  type LoadSummary,
  renderReport,
  type RoundResult,
  summarize,
} from './overhead-report.js';

function load(rps: number, p50: number, p99: number, gatewayCpu: number, rss: number): LoadSummary {
  return {
    stats: {
      requests: Math.round(rps) * 5,
      seconds: 5,
      requestsPerSecond: Math.round(rps),
      errors: 0,
      latencyMs: { p50, p90: p99 / 2, p99, max: p99 * 2, mean: p50 },
      loadGeneratorCpuSeconds: 1,
    },
    cpuMsPerRequest: { gateway: gatewayCpu, upstream: 0.02, sink: 0.01, wrk: 0.01 },
    peakRssMb: { gateway: rss, upstream: 60, sink: 50 },
  };
}

function stream(p50: number): FirstByteSummary {
  return {
    requests: 100,
    errors: 0,
    firstByteMs: { p50, p90: p50, p99: p50 * 2 },
    totalMs: { p50, p99: p50 },
  };
}

/** One round; `k` scales Switchyard's figures so rounds differ. */
function round(k: number): RoundResult {
  const all = (direct: LoadSummary, off: LoadSummary, on: LoadSummary, portkey: LoadSummary) => ({
    direct,
    switchyard: off,
    'switchyard-traced': on,
    portkey,
  });
  return {
    loadAvg: [0.5, 0.5, 0.5],
    loads: {
      'json-c1': all(
        load(30000, 0.03, 0.2, 0.01, 60),
        load(3000, 0.3, 1, 0.2, 90),
        load(2500 * k, 0.4 * k, 1.2, 0.25, 95),
        load(300, 3, 20, 1.4, 190),
      ),
      'json-c10': all(
        load(35000, 0.25, 1, 0.01, 60),
        load(6000, 1.5, 5, 0.15, 95),
        load(5400 * k, 1.7, 6, 0.18, 100),
        load(1200, 8, 20, 1.3, 200),
      ),
      'json-c64': all(
        load(33000, 1.7, 5, 0.01, 60),
        load(6100, 10, 20, 0.15, 120),
        load(5500, 11, 24, 0.18, 130 * k),
        load(1100, 55, 110, 1.4, 210),
      ),
      'sse-c10': all(
        load(28000, 0.3, 1, 0.02, 60),
        load(4000, 2.4, 9, 0.22, 95),
        load(3000, 3.2, 12, 0.3, 100),
        load(270, 35, 75, 1.9, 200),
      ),
    },
    streams: {
      direct: stream(0.2),
      switchyard: stream(0.5),
      'switchyard-traced': stream(0.6 * k),
      portkey: stream(28),
    },
  };
}

describe('overhead report', () => {
  const summary = summarize([round(1), round(0.9), round(1.1)]);

  it('takes medians over rounds and the spread of req/s', () => {
    const traced = summary.loads['json-c10']!['switchyard-traced']!;
    assert.equal(traced.requestsPerSecond, 5400);
    assert.deepEqual(traced.requestsPerSecondRounds, [5400, 4860, 5940]);
    assert.equal(traced.requestsPerSecondSpread, 0.2);
    assert.equal(traced.cpuMsPerRequest, 0.18);
    // The peak RSS is the largest of the rounds.
    assert.equal(summary.loads['json-c64']!['switchyard-traced']!.peakRssMb, 143);
    // For direct, the upstream stands for the target.
    assert.equal(summary.loads['json-c10']!['direct']!.cpuMsPerRequest, 0.02);
  });

  it('measures added latency and first byte against direct, round by round', () => {
    assert.equal(summary.addedP50MsAtOneConnection['switchyard-traced'], 0.37);
    assert.equal(summary.streams['switchyard-traced']!.addedFirstByteP50Ms, 0.4);
    assert.equal(summary.streams['portkey']!.addedFirstByteP50Ms, 27.8);
  });

  it('states every goal, met or missed', () => {
    assert.deepEqual(
      summary.goals.map((g) => [g.goal, g.measured, g.met]),
      [
        ["req/s at 10 connections >= 3x Portkey's", '4.50x (medians 5400 vs 1200)', true],
        ["p99 at 10 connections <= half of Portkey's", '0.30x (medians 6 vs 20 ms)', true],
        ['added p50 latency at 1 connection < 0.5 ms', '0.37 ms', true],
        ['added time to first byte (streams, p50) < 1 ms', '0.4 ms', true],
        ['peak RSS at 64 connections < 150 MB', '143 MB (largest of the rounds)', true],
        ['tracing costs <= 15% of req/s (JSON, 10 connections)', '10.0% (medians 5400 vs 6000)', true],
        ['tracing costs <= 15% of req/s (SSE, 10 connections)', '25.0% (medians 3000 vs 4000)', false],
      ],
    );
  });

  it('takes ratios within each round, so one disturbed load does not decide the result', () => {
    // The traced load of round one ran while something else took the machine.
    const withRates = (off: number, on: number): RoundResult => {
      const r = round(1);
      return {
        ...r,
        loads: {
          ...r.loads,
          'json-c10': {
            ...r.loads['json-c10'],
            switchyard: load(off, 1.5, 5, 0.15, 95),
            'switchyard-traced': load(on, 1.7, 6, 0.18, 100),
          },
        },
      };
    };
    const summary = summarize([withRates(6000, 3000), withRates(3000, 2700), withRates(4000, 3900)]);
    const cost = summary.goals.find((g) => g.goal.startsWith('tracing costs') && g.goal.includes('JSON'))!;
    // Per round: 50%, 10%, 2.5%; the median is 10% (the medians of each side would say 25%).
    assert.equal(cost.measured, '10.0% (medians 3000 vs 4000)');
  });

  it('renders the tables with every target and marks missed goals', () => {
    const text = renderReport({
      summary,
      settings: { rounds: 3, durationSeconds: 5, streams: 100 },
      loadAverage: { before: [0.5, 0.4, 0.3], after: [1, 0.5, 0.3] },
    });
    for (const label of [
      'direct to upstream (floor)',
      'Switchyard, tracing off',
      'Switchyard, tracing on',
      'Portkey gateway',
    ]) {
      assert.equal(text.split('\n').filter((l) => l.startsWith(`| ${label} |`)).length, 2, label);
    }
    assert.match(
      text,
      /\| tracing costs <= 15% of req\/s \(SSE, 10 connections\) \| 25\.0% \(medians 3000 vs 4000\) \| MISSED \|/,
    );
    assert.ok(text.includes('| Switchyard, tracing on | 2500 ±10% | 0.40 |'), text);
  });
});
