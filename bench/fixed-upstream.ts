/**
 * Loopback servers for benchmarks, in their own process: a model server that answers every
 * chat completion with the same response (JSON, or an SSE stream when the request asks)
 * and `/metrics` with an idle vLLM engine's gauges,
 * and an OTLP/HTTP sink that accepts and drops spans. Prints `{"upstream":PORT,"otlp":PORT}`.
 *
 *   node dist/bench/fixed-upstream.js [--only upstream|otlp] [--port N]
 *
 * `--only` starts one of the two (so each can be measured as its own process); `--port`
 * then chooses its port (default: a free one).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { JSON_ANSWER, SSE_WRITES } from './lib/fixed-answer.js';

const { values: args } = parseArgs({
  options: { only: { type: 'string' }, port: { type: 'string', default: '0' } },
});
if (args.only !== undefined && args.only !== 'upstream' && args.only !== 'otlp') {
  throw new Error(`--only must be upstream or otlp, not ${args.only}`);
}
const port = Number(args.port);

/** What a vLLM engine's `/metrics` shows when idle; the gateway scrapes it for routing. */
const METRICS = [
  '# TYPE vllm:num_requests_running gauge',
  'vllm:num_requests_running{model_name="bench-model"} 0',
  '# TYPE vllm:num_requests_waiting gauge',
  'vllm:num_requests_waiting{model_name="bench-model"} 0',
  '# TYPE vllm:kv_cache_usage_perc gauge',
  'vllm:kv_cache_usage_perc{model_name="bench-model"} 0',
  '',
].join('\n');

const upstream = http.createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  if (req.method === 'GET' && req.url === '/metrics') {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(METRICS);
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    if (Buffer.concat(chunks).includes('"stream":true')) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      // Several writes, as an engine streams tokens.
      for (const write of SSE_WRITES) res.write(write);
      res.end();
    } else {
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(JSON_ANSWER),
      });
      res.end(JSON_ANSWER);
    }
  });
});

const otlp = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
});

const servers =
  args.only === 'upstream' ? { upstream } : args.only === 'otlp' ? { otlp } : { upstream, otlp };
const ports: Record<string, number> = {};
for (const [name, server] of Object.entries(servers)) {
  await new Promise<void>((r) => server.listen(args.only ? port : 0, '127.0.0.1', r));
  ports[name] = (server.address() as AddressInfo).port;
}
process.stdout.write(`${JSON.stringify(ports)}\n`);
