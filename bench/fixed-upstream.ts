/**
 * Loopback servers for benchmarks, in their own process: a model server that answers every
 * chat completion with the same response (JSON, or an SSE stream when the request asks),
 * and an OTLP/HTTP sink that accepts and drops spans. Prints `{"upstream":PORT,"otlp":PORT}`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const CONTENT = 'The quick brown fox jumps over the lazy dog. '.repeat(4).trim();
const USAGE = { prompt_tokens: 24, completion_tokens: 40, total_tokens: 64 };
const BASE = { id: 'chatcmpl-bench', created: 1_700_000_000, model: 'bench-model' };

const json = JSON.stringify({
  ...BASE,
  object: 'chat.completion',
  choices: [{ index: 0, message: { role: 'assistant', content: CONTENT }, finish_reason: 'stop' }],
  usage: USAGE,
});

const words = CONTENT.split(' ');
const sse = [
  {
    ...BASE,
    object: 'chat.completion.chunk',
    choices: [{ index: 0, delta: { role: 'assistant', content: '' } }],
  },
  ...words.map((w, i) => ({
    ...BASE,
    object: 'chat.completion.chunk',
    choices: [{ index: 0, delta: { content: i ? ` ${w}` : w }, finish_reason: null }],
  })),
  { ...BASE, object: 'chat.completion.chunk', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
  { ...BASE, object: 'chat.completion.chunk', choices: [], usage: USAGE },
]
  .map((c) => `data: ${JSON.stringify(c)}\n\n`)
  .concat('data: [DONE]\n\n');

const upstream = http.createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    if (Buffer.concat(chunks).includes('"stream":true')) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      // Several writes, as an engine streams tokens.
      for (let i = 0; i < sse.length; i += 8) res.write(sse.slice(i, i + 8).join(''));
      res.end();
    } else {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
      res.end(json);
    }
  });
});

const otlp = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
});

await Promise.all([
  new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r)),
  new Promise<void>((r) => otlp.listen(0, '127.0.0.1', r)),
]);
process.stdout.write(
  `${JSON.stringify({ upstream: (upstream.address() as AddressInfo).port, otlp: (otlp.address() as AddressInfo).port })}\n`,
);
