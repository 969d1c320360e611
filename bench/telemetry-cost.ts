/**
 * What telemetry costs per request, in process, without sockets: the gateway's telemetry
 * (access log, routing counters, GenAI metrics and, when on, the request span exported by
 * OTLP http/protobuf to a sink in another process) is fed a request, a routing decision
 * and a fixed upstream answer, as the proxy would, many times over. The CPU time per
 * request of each configuration isolates telemetry from proxying and from the noise of a
 * shared machine, so changes to it can be measured in microseconds.
 *
 *   npm run build && node dist/bench/telemetry-cost.js [--requests 20000] [--rounds 3]
 *                                                      [--only core|metrics|span:json|sse]
 */
import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { parseInferenceRequest } from '../src/api/inference-request.js';
import { EndpointRegistry } from '../src/routing/endpoint-state.js';
import { CoreTelemetry } from '../src/telemetry/core-telemetry.js';
import { GatewayMetrics } from '../src/telemetry/metrics.js';
import type { Telemetry } from '../src/telemetry/request-telemetry.js';
import { setUpTelemetry, telemetrySettingsFrom } from '../src/telemetry/telemetry-setup.js';
import { JSON_ANSWER, SSE_WRITES } from './lib/fixed-answer.js';
import { median } from './lib/stats.js';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '3' },
    /** Only this configuration and body (profiling one case): e.g. `--only span:json`. */
    only: { type: 'string' },
  },
});
const REQUESTS = Number(values.requests);
const ROUNDS = Number(values.rounds);

const JSON_BODY = Buffer.from(JSON_ANSWER);
/** The stream in the writes the fixed upstream makes. */
const SSE_CHUNKS = SSE_WRITES.map((w) => Buffer.from(w));

const PROMPT = [{ role: 'user', content: 'Tell me about foxes and dogs, briefly.' }];
const JSON_REQUEST = Buffer.from(JSON.stringify({ model: 'bench-model', messages: PROMPT }));
const SSE_REQUEST = Buffer.from(
  JSON.stringify({
    model: 'bench-model',
    messages: PROMPT,
    stream: true,
    stream_options: { include_usage: true },
  }),
);
const HEADERS = { host: '127.0.0.1', 'content-type': 'application/json', 'content-length': '99' };
const DECISION = {
  algorithm: 'random',
  strategy: 'random',
  backend: 'bench-model',
  endpoint: '127.0.0.1:8000',
  candidates: ['127.0.0.1:8000'],
};

function oneRequest(telemetry: Telemetry, stream: boolean, i: number): void {
  const trace = telemetry.begin({
    requestId: `req-${i}`,
    operation: 'chat',
    method: 'POST',
    path: '/v1/chat/completions',
    headers: HEADERS,
    startedAt: performance.now(),
  });
  const request = parseInferenceRequest('chat', stream ? SSE_REQUEST : JSON_REQUEST);
  trace.parsed(request);
  trace.routed(DECISION, { provider: 'openai', model: 'bench-model' });
  trace.upstreamHeaders();
  const observer = trace.response;
  if (stream) {
    observer.onResponse(200, { 'content-type': 'text/event-stream' });
    for (const chunk of SSE_CHUNKS) observer.onChunk(chunk);
  } else {
    observer.onResponse(200, { 'content-type': 'application/json' });
    observer.onChunk(JSON_BODY);
  }
  observer.onEnd({ outcome: 'complete', bytes: 0 });
  trace.end({ status: 200, clientAborted: false, relay: 'complete' });
}

/** CPU microseconds per request over `REQUESTS` requests, yielding now and then for I/O. */
async function measure(telemetry: Telemetry, stream: boolean): Promise<number> {
  const before = process.cpuUsage();
  for (let i = 0; i < REQUESTS; i++) {
    oneRequest(telemetry, stream, i);
    if (i % 50 === 49) await new Promise((r) => setImmediate(r));
  }
  const used = process.cpuUsage(before);
  return (used.user + used.system) / REQUESTS;
}

async function startSink(): Promise<{ port: number; stop(): void }> {
  const child = spawn(
    process.execPath,
    [fileURLToPath(new URL('fixed-upstream.js', import.meta.url)), '--only', 'otlp'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const line = await new Promise<string>((resolve) =>
    child.stdout.once('data', (d: Buffer) => resolve(d.toString())),
  );
  // The sink never outlives this process, even when it fails.
  process.once('exit', () => child.kill());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(1));
  return { port: (JSON.parse(line) as { otlp: number }).otlp, stop: () => child.kill() };
}

async function main(): Promise<void> {
  const sink = await startSink();
  const logger = pino(
    { level: 'info', base: { service: 'switchyard' }, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ dest: openSync('/dev/null', 'w'), sync: false }),
  );
  const untraced = await setUpTelemetry(telemetrySettingsFrom({}), {}, logger);
  // The OpenTelemetry SDK reads its settings from process.env itself.
  process.env['OTEL_EXPORTER_OTLP_ENDPOINT'] = `http://127.0.0.1:${sink.port}`;
  const traced = await setUpTelemetry(telemetrySettingsFrom(process.env), process.env, logger);
  // Each configuration has its own registry, as each gateway process does.
  const core = () => {
    const metrics = new GatewayMetrics(new EndpointRegistry());
    return { metrics, core: new CoreTelemetry(logger, metrics) };
  };
  const plain = core();
  const withMetrics = core();
  const withSpans = core();
  const all: Record<string, [string, Telemetry]> = {
    core: ['core (log, routing counters)', plain.core],
    metrics: ['+ GenAI metrics', untraced.wrap(withMetrics.core, withMetrics.metrics)],
    span: ['+ span', traced.wrap(withSpans.core, withSpans.metrics)],
  };
  const [onlyConfig, onlyBody] = values.only?.split(':') ?? [];
  const configs = Object.fromEntries(
    Object.entries(all)
      .filter(([key]) => !onlyConfig || key === onlyConfig)
      .map(([, entry]) => entry),
  );
  const bodies = onlyBody ? [onlyBody === 'sse'] : [false, true];
  for (const telemetry of Object.values(configs)) {
    for (const stream of bodies) await measure(telemetry, stream); // warm up
  }
  const samples = new Map<string, number[]>();
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, telemetry] of Object.entries(configs)) {
      for (const stream of bodies) {
        const key = `${name}|${stream}`;
        samples.set(key, [...(samples.get(key) ?? []), await measure(telemetry, stream)]);
      }
    }
  }
  const us = (name: string, stream: boolean) => {
    const runs = samples.get(`${name}|${stream}`);
    return runs ? Math.round(median(runs) * 10) / 10 : NaN;
  };
  const table = Object.fromEntries(
    Object.keys(configs).map((name) => [
      name,
      { 'JSON µs/request': us(name, false), 'SSE µs/request': us(name, true) },
    ]),
  );
  console.table(table);
  await traced.shutdown();
  sink.stop();
}

await main();
