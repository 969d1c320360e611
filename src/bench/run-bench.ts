/**
 * `switchyard bench`: for each workload, for each algorithm, a fresh simulated fleet (cold
 * caches) and a fresh gateway, the same seeded requests, then one summary row. `pd` runs
 * on a fleet of prefill/decode rolesets of the same size; the others on plain replicas.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drive, type RequestRecord } from './driver.js';
import { perfectHitRate } from './perfect-bound.js';
import {
  BENCH_MODEL,
  type Engine,
  type EngineFlags,
  killChildrenOnExit,
  startEngine,
  startGateway,
} from './processes.js';
import type { WorkloadResult } from './report.js';
import { type RunSummary, summarise } from './summary.js';
import { buildWorkload, type WorkloadName } from './workloads.js';

export interface BenchOptions {
  readonly workloads: readonly WorkloadName[];
  readonly algorithms: readonly string[];
  readonly replicas: number;
  readonly requests: number;
  readonly rate: number;
  readonly seed: number;
  readonly engine: EngineFlags;
  /** Extra `switchyard run` flags (routing tuning). */
  readonly gatewayFlags: readonly string[];
  /** Progress and status lines. */
  readonly log: (line: string) => void;
  /** Rewrites one progress line in place (terminals); undefined prints every 10%. */
  readonly progress?: (line: string) => void;
}

export async function runBench(options: BenchOptions): Promise<WorkloadResult[]> {
  killChildrenOnExit();
  const results: WorkloadResult[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-bench-'));
  try {
    for (const name of options.workloads) {
      const workload = buildWorkload({
        name,
        seed: options.seed,
        requests: options.requests,
        rate: options.rate,
      });
      options.log(`\n${name}: ${workload.description}`);
      const runs: RunSummary[] = [];
      let firstRecords: readonly RequestRecord[] | undefined;
      for (const algorithm of options.algorithms) {
        const { summary, records } = await runOne(options, workload, algorithm, dir);
        runs.push(summary);
        firstRecords ??= records;
      }
      results.push({
        workload: name,
        description: workload.description,
        perfectHitRate: firstRecords ? perfectHitRate(firstRecords, options.engine.blockSize) : 0,
        runs,
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

async function runOne(
  options: BenchOptions,
  workload: ReturnType<typeof buildWorkload>,
  algorithm: string,
  dir: string,
): Promise<{ summary: RunSummary; records: RequestRecord[] }> {
  const engines = await startFleet(options, algorithm === 'pd');
  try {
    const gateway = await startGateway(engines, algorithm, dir, options.gatewayFlags);
    try {
      const label = `  ${workload.name} / ${algorithm}`;
      let lastTenth = -1;
      const { records, wallMs } = await drive(workload, {
        url: gateway.url,
        model: BENCH_MODEL,
        timeScale: options.engine.timeScale,
        onProgress: (done, total, errors) => {
          const line = `${label}: ${done}/${total} requests, ${errors} errors`;
          if (options.progress) options.progress(line);
          else if (Math.floor((done * 10) / total) > lastTenth) {
            lastTenth = Math.floor((done * 10) / total);
            options.log(line);
          }
        },
      });
      const computing = engines.filter((e) => e.role !== 'decode');
      const summary = summarise({
        workload: workload.name,
        algorithm,
        records,
        wallMs,
        timeScale: options.engine.timeScale,
        engineMetrics: await Promise.all(computing.map((e) => e.metrics())),
        endpoints: engines.filter((e) => e.role !== 'prefill').map((e) => e.address),
        gatewayMetrics: await (await fetch(`${gateway.adminUrl}/metrics`)).text(),
      });
      options.log(
        `${label}: done in ${summary.wallSeconds.toFixed(1)} s, TTFT p90 ${summary.ttftMs.p90.toFixed(0)} ms, hit rate ${(summary.hitRate * 100).toFixed(1)}%, ${summary.errors} errors`,
      );
      return { summary, records };
    } finally {
      await gateway.stop();
    }
  } finally {
    await Promise.all(engines.map((e) => e.stop()));
  }
}

/** `replicas` plain engines, or for pd rolesets of one prefill and one decode engine each. */
async function startFleet(options: BenchOptions, rolesets: boolean): Promise<Engine[]> {
  const starts: Promise<Engine>[] = [];
  if (!rolesets) {
    for (let i = 0; i < options.replicas; i++) starts.push(startEngine(options.engine));
  } else {
    const sets = Math.max(1, Math.floor(options.replicas / 2));
    for (let i = 0; i < sets; i++) {
      starts.push(startEngine(options.engine, 'prefill', `set-${i + 1}`));
      starts.push(startEngine(options.engine, 'decode', `set-${i + 1}`));
    }
  }
  const settled = await Promise.allSettled(starts);
  const engines = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) {
    await Promise.all(engines.map((e) => e.stop()));
    throw (failed as PromiseRejectedResult).reason;
  }
  return engines;
}
