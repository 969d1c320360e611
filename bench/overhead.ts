/**
 * Overhead against peers, measured side by side (issue #10).
 *
 *   npm run bench -- [--rounds 3] [--duration 5] [--warmup 2] [--streams 300] [--no-pin]
 *                    [--targets direct,switchyard,...] [--scenarios json-c10,...] [--out FILE]
 *
 * On loopback, in one run: a fixed-response upstream (JSON, or SSE when asked to stream),
 * reached directly (the floor), through Switchyard with tracing off and on (OTLP
 * http/protobuf to a sink that accepts and drops; GenAI and routing metrics are recorded
 * in both), and through Portkey's gateway (the npm package, pinned in devDependencies).
 * wrk drives closed-loop loads at 1, 10 and 64 connections (JSON) and 10 (SSE); a client
 * times the first byte of streamed answers one at a time. CPU time and peak RSS of every
 * process come from /proc.
 *
 * Rounds start every process afresh and rotate the order of the targets, scenario by
 * scenario, so slow drifts of a shared machine spread over all targets; the table shows
 * medians over rounds and how far the rounds spread.
 *
 * On a machine with two or more cores the gateway under test runs on core 0 and
 * everything else (wrk, upstream, OTLP sink, this process) on core 1, so the load
 * generator does not steal the gateway's core. Results: bench/results/overhead.json.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { measureFirstByte } from './lib/first-byte.js';
import { cpuSeconds, peakRssBytes, resetPeakRss } from './lib/proc.js';
import { freePort, type Started, startNode } from './lib/processes.js';
import {
  type FirstByteSummary,
  type LoadSummary,
  renderReport,
  type Scenario,
  SCENARIOS,
  summarize,
  TARGETS,
  type Target,
} from './lib/overhead-report.js';
import { median, quantile } from './lib/stats.js';
import { type LoadStats, runWrk } from './lib/wrk.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '2' },
    streams: { type: 'string', default: '300' },
    'no-pin': { type: 'boolean', default: false },
    targets: { type: 'string', default: TARGETS.join(',') },
    scenarios: { type: 'string', default: SCENARIOS.map((s) => s.name).join(',') },
    out: { type: 'string' },
  },
});
const ROUNDS = Number(values.rounds);
const DURATION = Number(values.duration);
const WARMUP = Number(values.warmup);
const STREAMS = Number(values.streams);
const RUN_TARGETS = pick(values.targets!.split(','), TARGETS, 'target');
const RUN_SCENARIOS = pick(
  values.scenarios!.split(','),
  SCENARIOS.map((s) => s.name),
  'scenario',
).map((name) => SCENARIOS.find((s) => s.name === name)!);

function pick<T extends string>(names: readonly string[], known: readonly T[], what: string): T[] {
  for (const name of names) {
    if (!known.includes(name as T)) throw new Error(`unknown ${what} "${name}" (known: ${known.join(', ')})`);
  }
  return known.filter((k) => names.includes(k));
}

const here = fileURLToPath(new URL('.', import.meta.url));
const REPO = join(here, '../..');
const CLI = join(here, '../src/cli/main.js');
const UPSTREAM = join(here, 'fixed-upstream.js');
const PORTKEY = join(REPO, 'node_modules/@portkey-ai/gateway/build/start-server.js');
const RESULTS = values.out ?? join(REPO, 'bench/results/overhead.json');

const pin = !values['no-pin'] && os.availableParallelism() >= 2;
const GATEWAY_CPUS = pin ? '0' : undefined;
const LOAD_CPUS = pin ? '1' : undefined;

const MODEL = 'bench-model';
const PROMPT = { role: 'user', content: 'Tell me about foxes and dogs, briefly.' };
const JSON_BODY = JSON.stringify({ model: MODEL, messages: [PROMPT] });
const SSE_BODY = JSON.stringify({
  model: MODEL,
  messages: [PROMPT],
  stream: true,
  stream_options: { include_usage: true },
});

/** The processes of one round. */
interface Round {
  readonly upstream: Started & { port: number };
  readonly sink: Started & { port: number };
  readonly gateways: Readonly<Record<Exclude<Target, 'direct'>, Started & { port: number }>>;
  readonly dir: string;
}

async function startRound(): Promise<Round> {
  const dir = mkdtempSync(join(os.tmpdir(), 'switchyard-overhead-'));
  const upPort = await freePort();
  const sinkPort = await freePort();
  const upstream = await startNode({
    name: 'upstream',
    args: [UPSTREAM, '--only', 'upstream', '--port', String(upPort)],
    cpus: LOAD_CPUS,
    readyUrl: `http://127.0.0.1:${upPort}/`,
  });
  const sink = await startNode({
    name: 'otlp-sink',
    args: [UPSTREAM, '--only', 'otlp', '--port', String(sinkPort)],
    cpus: LOAD_CPUS,
    readyUrl: `http://127.0.0.1:${sinkPort}/`,
  });
  const endpoints = join(dir, 'endpoints.yaml');
  writeFileSync(endpoints, `models:\n  - name: ${MODEL}\n    endpoints: ["127.0.0.1:${upPort}"]\n`);
  const baseEnv: NodeJS.ProcessEnv = { ...process.env, SWITCHYARD_LOG_LEVEL: 'info' };
  for (const key of Object.keys(baseEnv)) {
    if (key.startsWith('OTEL_') || key.startsWith('OPENINFERENCE_') || key.endsWith('_API_KEY')) {
      delete baseEnv[key];
    }
  }
  const switchyard = async (name: string, env: NodeJS.ProcessEnv) => {
    const port = await freePort();
    const args = [CLI, 'run', '--endpoints-config', endpoints, '--host', '127.0.0.1'];
    args.push('--port', String(port), '--admin-port', '0');
    const started = await startNode({
      name,
      args,
      env,
      cpus: GATEWAY_CPUS,
      readyUrl: `http://127.0.0.1:${port}/v1/models`,
    });
    return { ...started, port };
  };
  const portkeyPort = await freePort();
  const gateways = {
    switchyard: await switchyard('switchyard', baseEnv),
    'switchyard-traced': await switchyard('switchyard-traced', {
      ...baseEnv,
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${sinkPort}`,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    }),
    portkey: {
      ...(await startNode({
        name: 'portkey',
        args: [PORTKEY, `--port=${portkeyPort}`, '--headless'],
        env: { ...baseEnv, NODE_ENV: 'production' },
        cpus: GATEWAY_CPUS,
        readyUrl: `http://127.0.0.1:${portkeyPort}/`,
      })),
      port: portkeyPort,
    },
  };
  return {
    upstream: { ...upstream, port: upPort },
    sink: { ...sink, port: sinkPort },
    gateways,
    dir,
  };
}

async function stopRound(round: Round): Promise<void> {
  for (const p of [...Object.values(round.gateways), round.sink, round.upstream]) await p.stop();
  rmSync(round.dir, { recursive: true, force: true });
}

/** URL and headers a client uses to reach the upstream through `target`. */
function route(round: Round, target: Target): { url: string; headers: Record<string, string> } {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    authorization: 'Bearer sk-bench',
  };
  const path = '/v1/chat/completions';
  if (target === 'direct') return { url: `http://127.0.0.1:${round.upstream.port}${path}`, headers };
  if (target === 'portkey') {
    // Portkey's documented way to an OpenAI-compatible server at a custom address.
    headers['x-portkey-provider'] = 'openai';
    headers['x-portkey-custom-host'] = `http://127.0.0.1:${round.upstream.port}/v1`;
  }
  return { url: `http://127.0.0.1:${round.gateways[target].port}${path}`, headers };
}

/** Every process of a round, by role; `gateway` is the target's own process, if any. */
function processes(round: Round, target: Target): Record<string, number> {
  const pids: Record<string, number> = { upstream: round.upstream.pid, sink: round.sink.pid };
  if (target !== 'direct') pids['gateway'] = round.gateways[target].pid;
  return pids;
}

async function measureLoad(round: Round, target: Target, scenario: Scenario): Promise<LoadSummary> {
  const pids = processes(round, target);
  const cpuBefore: Record<string, number> = {};
  for (const [role, pid] of Object.entries(pids)) {
    resetPeakRss(pid);
    cpuBefore[role] = cpuSeconds(pid);
  }
  const stats: LoadStats = await runWrk(
    {
      ...route(round, target),
      body: scenario.stream ? SSE_BODY : JSON_BODY,
      connections: scenario.connections,
      seconds: DURATION,
    },
    LOAD_CPUS,
  );
  const perRequest = (seconds: number) =>
    stats.requests ? Math.round((seconds * 1e6) / stats.requests) / 1000 : NaN;
  const cpuMsPerRequest: Record<string, number> = { wrk: perRequest(stats.loadGeneratorCpuSeconds) };
  const peakRssMb: Record<string, number> = {};
  for (const [role, pid] of Object.entries(pids)) {
    cpuMsPerRequest[role] = perRequest(cpuSeconds(pid) - cpuBefore[role]!);
    peakRssMb[role] = Math.round(peakRssBytes(pid) / 1024 / 102.4) / 10;
  }
  return { stats, cpuMsPerRequest, peakRssMb };
}

async function measureStreams(round: Round, target: Target): Promise<FirstByteSummary> {
  const times = await measureFirstByte({ ...route(round, target), body: SSE_BODY }, STREAMS);
  const r = (v: number) => Math.round(v * 1000) / 1000;
  return {
    requests: times.firstByteMs.length,
    errors: times.errors,
    firstByteMs: {
      p50: r(quantile(times.firstByteMs, 0.5)),
      p90: r(quantile(times.firstByteMs, 0.9)),
      p99: r(quantile(times.firstByteMs, 0.99)),
    },
    totalMs: { p50: r(quantile(times.totalMs, 0.5)), p99: r(quantile(times.totalMs, 0.99)) },
  };
}

async function warmUp(round: Round, target: Target): Promise<void> {
  await runWrk({ ...route(round, target), body: JSON_BODY, connections: 10, seconds: WARMUP }, LOAD_CPUS);
  await runWrk({ ...route(round, target), body: SSE_BODY, connections: 10, seconds: 1 }, LOAD_CPUS);
  await measureFirstByte({ ...route(round, target), body: SSE_BODY }, 20);
}

function rotate<T>(items: readonly T[], by: number): T[] {
  const k = by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

function environment() {
  const version = (cmd: string, args: string[]) => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8' }).split('\n')[0]!.trim();
    } catch {
      return 'unknown';
    }
  };
  const portkey = JSON.parse(
    readFileSync(join(REPO, 'node_modules/@portkey-ai/gateway/package.json'), 'utf8'),
  ) as { version: string };
  return {
    commit: version('git', ['-C', REPO, 'describe', '--always', '--dirty']),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    // Not availableParallelism(): this process is pinned to one core by then.
    cores: os.cpus().length,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    wrk: version('wrk', ['--version']),
    portkey: portkey.version,
    pinning: pin
      ? { gateway: GATEWAY_CPUS, loadGeneratorUpstreamSinkClient: LOAD_CPUS }
      : 'none (processes share all cores)',
  };
}

async function main(): Promise<void> {
  if (LOAD_CPUS)
    execFileSync('taskset', ['-a', '-p', '-c', LOAD_CPUS, String(process.pid)], { stdio: 'ignore' });
  const startedAt = new Date().toISOString();
  const loadBefore = os.loadavg();
  const rounds: {
    loadAvg: number[];
    loads: Record<string, Record<string, LoadSummary>>;
    streams: Record<string, FirstByteSummary>;
  }[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const round = await startRound();
    const loadAvg = os.loadavg().map((v) => Math.round(v * 100) / 100);
    process.stderr.write(`round ${r + 1}/${ROUNDS} (load average ${loadAvg.join(' ')})\n`);
    try {
      for (const target of rotate(RUN_TARGETS, r)) await warmUp(round, target);
      const loads: Record<string, Record<string, LoadSummary>> = {};
      for (const scenario of RUN_SCENARIOS) {
        loads[scenario.name] = {};
        for (const target of rotate(RUN_TARGETS, r)) {
          const m = await measureLoad(round, target, scenario);
          loads[scenario.name]![target] = m;
          process.stderr.write(
            `  ${scenario.name.padEnd(10)} ${target.padEnd(18)} ${String(m.stats.requestsPerSecond).padStart(6)} req/s  p50 ${m.stats.latencyMs.p50} ms  p99 ${m.stats.latencyMs.p99} ms  errors ${m.stats.errors}\n`,
          );
        }
      }
      const streams: Record<string, FirstByteSummary> = {};
      for (const target of STREAMS > 0 ? rotate(RUN_TARGETS, r) : []) {
        streams[target] = await measureStreams(round, target);
        process.stderr.write(
          `  first byte ${target.padEnd(18)} p50 ${streams[target]!.firstByteMs.p50} ms  p99 ${streams[target]!.firstByteMs.p99} ms\n`,
        );
      }
      rounds.push({ loadAvg, loads, streams });
    } finally {
      await stopRound(round);
    }
  }
  const loadAfter = os.loadavg();
  const summary = summarize(rounds);
  const report = {
    startedAt,
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    settings: { rounds: ROUNDS, durationSeconds: DURATION, warmupSeconds: WARMUP, streams: STREAMS },
    environment: environment(),
    loadAverage: {
      before: loadBefore.map((v) => Math.round(v * 100) / 100),
      after: loadAfter.map((v) => Math.round(v * 100) / 100),
      medianOfRounds: Math.round(median(rounds.map((x) => x.loadAvg[0]!)) * 100) / 100,
    },
    summary,
    rounds,
  };
  mkdirSync(join(RESULTS, '..'), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(renderReport(report));
  process.stdout.write(`\nResults: ${RESULTS}\n`);
}

await main();
