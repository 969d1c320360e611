/**
 * Runs wrk (the C load generator, Debian package `wrk`) for one closed-loop load: N
 * connections each sending the next request as soon as the previous answer ended. A
 * generated Lua script sets the request and prints the results as one JSON line.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuTicksFromStat, TICKS_PER_SECOND } from './proc.js';

export interface HttpLoad {
  readonly url: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly connections: number;
  readonly seconds: number;
}

export interface LoadStats {
  readonly requests: number;
  readonly seconds: number;
  readonly requestsPerSecond: number;
  /** Connect, read, write and timeout errors, and answers that were not 2xx/3xx. */
  readonly errors: number;
  readonly latencyMs: {
    readonly p50: number;
    readonly p90: number;
    readonly p99: number;
    readonly max: number;
    readonly mean: number;
  };
  /** CPU the load generator itself used, in seconds. */
  readonly loadGeneratorCpuSeconds: number;
}

/** A Lua long string, with a level of `=` that the text does not contain. */
function luaString(text: string): string {
  let level = '';
  while (text.includes(`]${level}]`)) level += '=';
  return `[${level}[${text}]${level}]`;
}

/** The wrk script: the request, and a `done` hook printing the results as JSON. */
export function wrkScript(load: Pick<HttpLoad, 'body' | 'headers'>): string {
  const headers = Object.entries(load.headers)
    .map(([name, value]) => `wrk.headers[ ${luaString(name)} ] = ${luaString(value)}`)
    .join('\n');
  return `wrk.method = "POST"
wrk.body = ${luaString(load.body)}
${headers}
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\\n{"requests":%d,"durationUs":%d,"errors":%d,"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%f}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
`;
}

interface WrkReport {
  readonly requests: number;
  readonly durationUs: number;
  readonly errors: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** The JSON line the script's `done` hook printed (latencies in microseconds). */
export function parseWrkReport(stdout: string): Omit<LoadStats, 'loadGeneratorCpuSeconds'> {
  const line = stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{"requests"'));
  if (!line) throw new Error(`wrk printed no report:\n${stdout}`);
  const r = JSON.parse(line) as WrkReport;
  const seconds = r.durationUs / 1e6;
  const ms = (us: number) => Math.round(us) / 1000;
  return {
    requests: r.requests,
    seconds,
    requestsPerSecond: Math.round(r.requests / seconds),
    errors: r.errors,
    latencyMs: { p50: ms(r.p50), p90: ms(r.p90), p99: ms(r.p99), max: ms(r.max), mean: ms(r.mean) },
  };
}

/**
 * Runs one load. `cpus` pins wrk to those cores (taskset). wrk runs under a shell that
 * prints its own /proc stat after wrk ended, whose children's CPU fields are wrk's.
 */
export async function runWrk(load: HttpLoad, cpus?: string): Promise<LoadStats> {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-wrk-'));
  const script = join(dir, 'load.lua');
  writeFileSync(script, wrkScript(load));
  const wrkArgs = [
    '-t1',
    `-c${load.connections}`,
    `-d${load.seconds}s`,
    '--timeout',
    '10s',
    '-s',
    script,
    load.url,
  ];
  const command = cpus ? ['taskset', '-c', cpus, 'wrk', ...wrkArgs] : ['wrk', ...wrkArgs];
  try {
    const { stdout, code } = await run('sh', [
      '-c',
      '"$@"; status=$?; read -r stat < /proc/$$/stat; echo "STAT $stat"; exit $status',
      'sh',
      ...command,
    ]);
    if (code !== 0) throw new Error(`wrk exited with ${code}:\n${stdout}`);
    const stat = stdout.split('\n').find((l) => l.startsWith('STAT '));
    return {
      ...parseWrkReport(stdout),
      loadGeneratorCpuSeconds: stat ? cpuTicksFromStat(stat.slice(5), true) / TICKS_PER_SECOND : NaN,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function run(command: string, args: string[]): Promise<{ stdout: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ stdout, code }));
  });
}
