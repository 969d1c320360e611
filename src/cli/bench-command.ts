/**
 * `switchyard bench`: the routing lab. Starts a simulated fleet and a gateway per
 * algorithm, drives a named seeded workload, prints a comparison table, and writes JSON,
 * Markdown and an SVG chart.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chart, table, type WorkloadResult } from '../bench/report.js';
import { runBench } from '../bench/run-bench.js';
import { WORKLOADS, type WorkloadName } from '../bench/workloads.js';
import { DEFAULT_ROUTING_TUNING } from '../config/model.js';
import { algorithmProblem } from '../routing/algorithms.js';
import { type FlagSpec, type FlagValues, formatHelp, parseCommand } from './flags.js';
import { UsageError } from './usage-error.js';

export const DEFAULT_BENCH_ALGORITHMS = [
  'random',
  'least-request',
  'throughput',
  'least-kv-cache',
  'least-latency',
  'prefix-cache',
  'prefix-cache:2,least-request:1',
  'session-affinity',
  'pd',
];

export const BENCH_FLAGS: readonly FlagSpec[] = [
  {
    name: 'workload',
    type: 'strings',
    value: 'NAME',
    help: `Workload to drive: ${WORKLOADS.join(', ')}; repeat or separate with commas. Default: all three.`,
  },
  {
    name: 'algorithm',
    type: 'strings',
    value: 'NAME',
    help: `Algorithm to compare; repeat for each (a combination like prefix-cache:2,least-request:1 is one). Default: ${DEFAULT_BENCH_ALGORITHMS.join(' ')}.`,
  },
  {
    name: 'replicas',
    type: 'int',
    default: 4,
    value: 'N',
    help: 'Simulated engines (pd: N/2 prefill/decode rolesets).',
  },
  { name: 'requests', type: 'int', default: 300, value: 'N', help: 'Requests per workload and algorithm.' },
  {
    name: 'rate',
    type: 'number',
    default: 8,
    value: 'PER_S',
    help: 'New requests (multi-turn: conversations) per second.',
  },
  { name: 'seed', type: 'int', default: 1, value: 'N', help: 'Seed of the workload and the engines.' },
  {
    name: 'time-scale',
    type: 'number',
    default: 1,
    value: 'X',
    help: 'Engine delay multiplier (0.5 runs twice as fast); figures are reported in engine time.',
  },
  { name: 'kv-blocks', type: 'int', default: 1500, value: 'N', help: 'KV-cache blocks per engine.' },
  { name: 'block-size', type: 'int', default: 16, value: 'N', help: 'Tokens per KV-cache block.' },
  { name: 'max-num-seqs', type: 'int', default: 64, value: 'N', help: 'Batch slots per engine.' },
  {
    name: 'prefill-ms-per-token',
    type: 'number',
    default: 0.15,
    value: 'MS',
    help: 'Engine prefill time per uncached token.',
  },
  {
    name: 'decode-ms-per-token',
    type: 'number',
    default: 15,
    value: 'MS',
    help: 'Engine time per output token.',
  },
  {
    name: 'ttft-overhead-ms',
    type: 'number',
    default: 15,
    value: 'MS',
    help: 'Fixed engine time added to every first token.',
  },
  {
    name: 'load-imbalance-threshold',
    type: 'int',
    default: DEFAULT_ROUTING_TUNING.loadImbalanceThreshold,
    value: 'N',
    help: "The gateway's prefix-cache load guard (see switchyard run --help).",
  },
  {
    name: 'out',
    type: 'string',
    default: 'bench-results',
    value: 'DIR',
    help: 'Where results.json, results.md and chart.svg go.',
  },
  {
    name: 'render',
    type: 'string',
    value: 'FILE',
    help: "Run nothing: redraw results.md and chart.svg from an earlier run's results.json into --out.",
  },
];

const SUMMARY = `Compare routing algorithms on a simulated fleet: for each workload and algorithm, start
fresh \`switchyard sim\` engines (cold caches) and a gateway, drive the same seeded requests,
and report time to first token, end-to-end latency, output tokens/s, the engines' own
prefix-cache hit rate against a perfect router's, load spread and fallbacks.`;

export function benchHelp(): string {
  return formatHelp('switchyard bench [options]', SUMMARY, BENCH_FLAGS);
}

export async function benchCommand(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const parsed = parseCommand(argv, BENCH_FLAGS, env, 0);
  if (parsed.help) {
    process.stdout.write(benchHelp());
    return 0;
  }
  const f = parsed.flags;
  if (f['render']) return render(f['render'] as string, resolve(f['out'] as string));
  const workloads = workloadsOf(f);
  const algorithms = (f['algorithm'] as string[] | undefined) ?? DEFAULT_BENCH_ALGORITHMS;
  for (const name of algorithms) {
    const problem = algorithmProblem(name);
    if (problem) throw new UsageError(problem);
  }
  const positive = (flag: string, min: number) => {
    const value = f[flag] as number;
    if (!(value >= min))
      throw new UsageError(`invalid value "${value}" for --${flag}: must be at least ${min}`);
    return value;
  };
  const options = {
    workloads,
    algorithms,
    replicas: positive('replicas', 1),
    requests: positive('requests', 1),
    rate: positive('rate', 0.001),
    seed: f['seed'] as number,
    engine: {
      kvBlocks: positive('kv-blocks', 1),
      blockSize: positive('block-size', 1),
      maxNumSeqs: positive('max-num-seqs', 1),
      prefillMsPerToken: positive('prefill-ms-per-token', 0),
      decodeMsPerToken: positive('decode-ms-per-token', 0),
      ttftOverheadMs: positive('ttft-overhead-ms', 0),
      timeScale: positive('time-scale', 0.001),
      seed: f['seed'] as number,
    },
    gatewayFlags: [
      '--prefix-block-size',
      String(f['block-size']),
      '--load-imbalance-threshold',
      String(positive('load-imbalance-threshold', 0)),
    ],
    log: (line: string) => {
      if (process.stdout.isTTY) process.stdout.write('\r\x1b[K');
      process.stdout.write(`${line}\n`);
    },
    ...(process.stdout.isTTY ? { progress: (line: string) => process.stdout.write(`\r\x1b[K${line}`) } : {}),
  };
  const command = `switchyard bench ${argv.join(' ')}`.trim();
  options.log(
    `${command}\n${options.replicas} engines per run; ${algorithms.length} algorithms; seed ${options.seed}`,
  );
  const results = await runBench(options);

  const out = resolve(f['out'] as string);
  mkdirSync(out, { recursive: true });
  const meta: SavedRun = {
    command,
    date: new Date().toISOString(),
    options: { ...options, log: undefined, progress: undefined },
    results,
  };
  writeFileSync(join(out, 'results.json'), `${JSON.stringify(meta, null, 2)}\n`);
  writeOutputs(meta, out);
  process.stdout.write(`wrote results.json in ${out}\n`);
  return 0;
}

interface SavedRun {
  readonly command: string;
  readonly date: string;
  readonly options: unknown;
  readonly results: WorkloadResult[];
}

/** Prints the tables and writes results.md and chart.svg. */
function writeOutputs(run: SavedRun, out: string): void {
  const tables = run.results.map(table).join('\n');
  process.stdout.write(`\n${tables}`);
  writeFileSync(join(out, 'results.md'), `# switchyard bench\n\n\`\`\`\n${run.command}\n\`\`\`\n\n${tables}`);
  writeFileSync(join(out, 'chart.svg'), chart(run.results, run.command));
  process.stdout.write(`\nwrote results.md and chart.svg in ${out}\n`);
}

function render(file: string, out: string): number {
  let run: SavedRun;
  try {
    run = JSON.parse(readFileSync(file, 'utf8')) as SavedRun;
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
  }
  if (!Array.isArray(run.results) || typeof run.command !== 'string') {
    throw new UsageError(`${file} is not a results.json written by switchyard bench`);
  }
  mkdirSync(out, { recursive: true });
  writeOutputs(run, out);
  return 0;
}

function workloadsOf(f: FlagValues): WorkloadName[] {
  const given = (f['workload'] as string[] | undefined)?.flatMap((w) => w.split(',')).map((w) => w.trim());
  if (!given) return [...WORKLOADS];
  for (const w of given) {
    if (!(WORKLOADS as readonly string[]).includes(w)) {
      throw new UsageError(`unknown workload "${w}" (known: ${WORKLOADS.join(', ')})`);
    }
  }
  return given as WorkloadName[];
}
