/**
 * What tracing costs: requests/s, latency and gateway CPU per request with tracing off and
 * on (OTLP http/protobuf to a loopback sink), against a fixed-response loopback upstream,
 * for plain and streamed chat completions. The goal (issue #10) is tracing costing at most
 * 15% of requests/s.
 *
 *   npm run bench:tracing -- [--duration 10] [--connections 32] [--rounds 2]
 *
 * Each process (gateway, upstream+sink, load generator) is separate; on a small machine
 * they share cores, so compare the two modes with each other, not with other machines.
 * Rounds alternate the order of the modes; the median round is reported.
 * Results are also written to bench/results/tracing-cost.json.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '32' },
    rounds: { type: 'string', default: '2' },
  },
});
const DURATION = Number(values.duration);
const WARMUP = Number(values.warmup);
const CONNECTIONS = Number(values.connections);
const ROUNDS = Number(values.rounds);

const here = fileURLToPath(new URL('.', import.meta.url));
const CLI = join(here, '../src/cli/main.js');
const UPSTREAM = join(here, 'fixed-upstream.js');
const RESULTS = join(here, '../../bench/results/tracing-cost.json');
const TICKS_PER_SECOND = 100; // USER_HZ on Linux

type Mode = 'off' | 'on';
type Scenario = 'chat' | 'chat-stream';

interface Measurement {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly cpuMsPerRequest: number;
  readonly errors: number;
}

function firstLine(child: ChildProcess, match: (line: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const onData = (d: Buffer) => {
      buffer += d.toString();
      for (const line of buffer.split('\n')) {
        if (match(line)) {
          resolve(line);
          return;
        }
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`process exited (${code}) before it was ready`)));
  });
}

/** CPU seconds (user + system, all threads) a process has used so far. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

async function startGateway(upstreamPort: number, otlpPort: number, mode: Mode) {
  const dir = join(tmpdir(), `switchyard-bench-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const endpoints = join(dir, 'endpoints.yaml');
  writeFileSync(endpoints, `models:\n  - name: bench-model\n    endpoints: ["127.0.0.1:${upstreamPort}"]\n`);
  const env: NodeJS.ProcessEnv = { ...process.env, SWITCHYARD_LOG_LEVEL: 'info' };
  for (const key of Object.keys(env))
    if (key.startsWith('OTEL_') || key.startsWith('OPENINFERENCE_')) delete env[key];
  if (mode === 'on') {
    env['OTEL_EXPORTER_OTLP_ENDPOINT'] = `http://127.0.0.1:${otlpPort}`;
    env['OTEL_EXPORTER_OTLP_PROTOCOL'] = 'http/protobuf';
  }
  const child = spawn(
    process.execPath,
    [CLI, 'run', '--endpoints-config', endpoints, '--host', '127.0.0.1', '--port', '0', '--admin-port', '0'],
    { env, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const ready = JSON.parse(await firstLine(child, (l) => l.includes('"switchyard listening"')));
  return { child, port: ready.port as number };
}

async function load(port: number, scenario: Scenario, seconds: number) {
  const body = JSON.stringify({
    model: 'bench-model',
    messages: [{ role: 'user', content: 'Tell me about foxes and dogs, briefly.' }],
    ...(scenario === 'chat-stream' ? { stream: true, stream_options: { include_usage: true } } : {}),
  });
  return autocannon({
    url: `http://127.0.0.1:${port}/v1/chat/completions`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections: CONNECTIONS,
    duration: seconds,
  });
}

async function measure(
  upstreamPort: number,
  otlpPort: number,
  mode: Mode,
  scenario: Scenario,
): Promise<Measurement> {
  const gateway = await startGateway(upstreamPort, otlpPort, mode);
  try {
    await load(gateway.port, scenario, WARMUP);
    const cpuBefore = cpuSeconds(gateway.child.pid!);
    const result = await load(gateway.port, scenario, DURATION);
    const cpu = cpuSeconds(gateway.child.pid!) - cpuBefore;
    const requests = result.requests.total;
    return {
      requestsPerSecond: Math.round(requests / DURATION),
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      cpuMsPerRequest: Math.round(((cpu * 1000) / requests) * 1000) / 1000,
      errors: result.errors + result.non2xx,
    };
  } finally {
    gateway.child.kill('SIGTERM');
    await new Promise((r) => gateway.child.once('exit', r));
  }
}

function median(ms: readonly Measurement[]): Measurement {
  return [...ms].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond)[Math.floor(ms.length / 2)]!;
}

async function main(): Promise<void> {
  const servers = spawn(process.execPath, [UPSTREAM], { stdio: ['ignore', 'pipe', 'inherit'] });
  const ports = JSON.parse(await firstLine(servers, (l) => l.startsWith('{')));
  const results: Record<string, Record<Mode, Measurement>> = {};
  try {
    for (const scenario of ['chat', 'chat-stream'] as const) {
      const runs: Record<Mode, Measurement[]> = { off: [], on: [] };
      for (let round = 0; round < ROUNDS; round++) {
        const order: Mode[] = round % 2 === 0 ? ['off', 'on'] : ['on', 'off'];
        for (const mode of order) {
          const m = await measure(ports.upstream, ports.otlp, mode, scenario);
          runs[mode].push(m);
          process.stderr.write(`${scenario} tracing ${mode} round ${round + 1}: ${JSON.stringify(m)}\n`);
        }
      }
      results[scenario] = { off: median(runs.off), on: median(runs.on) };
    }
  } finally {
    servers.kill('SIGTERM');
  }

  const rows = Object.entries(results).map(([scenario, r]) => ({
    scenario,
    'req/s off': r.off.requestsPerSecond,
    'req/s on': r.on.requestsPerSecond,
    'req/s cost': `${(((r.off.requestsPerSecond - r.on.requestsPerSecond) / r.off.requestsPerSecond) * 100).toFixed(1)}%`,
    'CPU ms/req off': r.off.cpuMsPerRequest,
    'CPU ms/req on': r.on.cpuMsPerRequest,
    'p99 ms off': r.off.p99Ms,
    'p99 ms on': r.on.p99Ms,
    errors: r.off.errors + r.on.errors,
  }));
  console.table(rows);
  mkdirSync(join(RESULTS, '..'), { recursive: true });
  writeFileSync(
    RESULTS,
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, duration: DURATION, connections: CONNECTIONS, rounds: ROUNDS, results }, null, 2)}\n`,
  );
}

await main();
