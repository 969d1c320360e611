/**
 * Failover, end to end: a request whose endpoint refuses, resets, times out connecting or
 * answers 5xx before any response byte is tried again on another endpoint of the model,
 * within --max-retries and only for the kinds --retry-on names; nothing is retried once a
 * byte reached the client. Upstreams are real sockets on loopback that misbehave on cue.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { FakeUpstream, reply, writeEndpointsFile } from './helpers/fake-upstream.js';
import { type RunningGateway, startGateway } from './helpers/gateway-process.js';
import { rawRequest } from './helpers/http.js';
import { closedPort } from './helpers/ports.js';
import { scrapeMetrics } from './helpers/prometheus.js';

/** How many requests each case sends: with two endpoints picked at random, enough that the bad one is picked first at least once (all 24 missing it: 1 in 16 million). */
const TRIES = 24;

/** A server that drops every connection as soon as a request arrives. */
async function resettingServer(): Promise<net.Server> {
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', () => socket.resetAndDestroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/**
 * A port whose listen queue is full and never accepted from, so a connection attempt
 * hangs until the connect timeout (node always accepts, so a tiny Python listener does it).
 */
async function blackHole(): Promise<{ port: number; child: ChildProcess; filler: net.Socket }> {
  const child = spawn(
    'python3',
    [
      '-c',
      'import socket,time\ns=socket.socket()\ns.bind(("127.0.0.1",0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\ntime.sleep(600)',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
    child.once('error', reject);
  });
  // The one connection the backlog holds; the next ones wait for a SYN-ACK that never comes.
  const filler = net.connect(port, '127.0.0.1');
  filler.on('error', () => {});
  await new Promise((resolve) => filler.once('connect', resolve));
  return { port, child, filler };
}

function chat(url: string, model: string, stream = false, requestId = randomUUID()) {
  return rawRequest(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': requestId },
    body: JSON.stringify({ model, stream, messages: [{ role: 'user', content: 'hi' }] }),
  });
}

async function statuses(url: string, model: string): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < TRIES; i++) out.push((await chat(url, model)).status);
  return out;
}

describe('failover', () => {
  let good: FakeUpstream;
  let failing: FakeUpstream;
  let cutting: FakeUpstream;
  let resetter: net.Server;
  let hole: Awaited<ReturnType<typeof blackHole>>;
  let refused: string;
  let resets: string;
  let holeAddress: string;
  const gateways: RunningGateway[] = [];

  before(async () => {
    good = await FakeUpstream.start(async (req, res) => {
      if (req.json?.['stream'] === true) await reply.chatStream(res, ['fine']);
      else reply.json(res, 200, reply.chatCompletion('fine', req));
    });
    failing = await FakeUpstream.start((_req, res) =>
      reply.json(res, 503, {
        error: { message: 'engine overloaded', type: 'server_error', code: null, param: null },
      }),
    );
    cutting = await FakeUpstream.start((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"choices":[{"index":0,"delta":{"content":"par"}}]}\n\n');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    resetter = await resettingServer();
    hole = await blackHole();
    refused = `127.0.0.1:${await closedPort()}`;
    resets = `127.0.0.1:${(resetter.address() as net.AddressInfo).port}`;
    holeAddress = `127.0.0.1:${hole.port}`;
  });

  after(async () => {
    for (const g of gateways) await g.stop();
    await good?.close();
    await failing?.close();
    await cutting?.close();
    resetter?.close();
    hole?.filler.destroy();
    hole?.child.kill('SIGKILL');
  });

  /** A gateway whose passive ejection never triggers, so every case keeps hitting the bad endpoint. */
  async function gateway(extra: string[]): Promise<RunningGateway> {
    const file = writeEndpointsFile({
      refused: [refused, good.address],
      reset: [resets, good.address],
      '5xx': [failing.address, good.address],
      'only-5xx': [failing.address],
      timeout: [holeAddress, good.address],
      'only-timeout': [holeAddress],
      cut: [cutting.address, good.address],
    });
    const started = await startGateway([
      '--endpoints-config',
      file,
      '--eject-after-failures',
      '1000000',
      '--connect-timeout',
      '300ms',
      '--engine-metrics-interval',
      '0',
      ...extra,
    ]);
    gateways.push(started);
    return started;
  }

  it('by default, refused, reset, connect-timeout and 5xx endpoints are failed over to a good one', async () => {
    const g = await gateway([]);
    for (const model of ['refused', 'reset', '5xx', 'timeout']) {
      assert.deepEqual(await statuses(g.url, model), Array(TRIES).fill(200), model);
    }
    const m = await scrapeMetrics(g.adminUrl);
    assert.ok(m.value('switchyard_upstream_retries_total', { endpoint: refused, kind: 'connect' }) >= 1);
    assert.ok(m.value('switchyard_upstream_retries_total', { endpoint: resets, kind: 'reset' }) >= 1);
    assert.ok(
      m.value('switchyard_upstream_retries_total', { endpoint: failing.address, kind: 'server_error' }) >= 1,
    );
    assert.ok(
      m.value('switchyard_upstream_retries_total', { endpoint: holeAddress, kind: 'connect_timeout' }) >= 1,
    );
  });

  it('with one endpoint, a 5xx passes through as it is and a connect timeout is a 504', async () => {
    const g = await gateway([]);
    const res = await chat(g.url, 'only-5xx');
    assert.equal(res.status, 503);
    assert.match(res.body, /engine overloaded/);
    const timedOut = await chat(g.url, 'only-timeout');
    assert.equal(timedOut.status, 504);
    const error = (JSON.parse(timedOut.body) as { error: { code: string; message: string } }).error;
    assert.equal(error.code, 'upstream_timeout');
    assert.match(error.message, /connect/);
  });

  it('--retry-on connect retries only what never reached a server: resets and 5xx reach the client', async () => {
    const g = await gateway(['--retry-on', 'connect']);
    assert.deepEqual(await statuses(g.url, 'refused'), Array(TRIES).fill(200));
    assert.deepEqual(await statuses(g.url, 'timeout'), Array(TRIES).fill(200));
    const resetStatuses = await statuses(g.url, 'reset');
    assert.ok(resetStatuses.includes(502), 'a reset is answered, not retried');
    assert.ok(resetStatuses.every((s) => s === 200 || s === 502));
    const fiveStatuses = await statuses(g.url, '5xx');
    assert.ok(fiveStatuses.includes(503), "the engine's own 503 reaches the client");
    assert.ok(fiveStatuses.every((s) => s === 200 || s === 503));
  });

  it('--max-retries 0 (or --retry-on none) turns failover off', async () => {
    for (const extra of [
      ['--max-retries', '0'],
      ['--retry-on', 'none'],
    ]) {
      const g = await gateway(extra);
      const seen = await statuses(g.url, 'refused');
      assert.ok(seen.includes(502), extra.join(' '));
      assert.ok(seen.every((s) => s === 200 || s === 502));
      const m = await scrapeMetrics(g.adminUrl);
      assert.equal(m.total('switchyard_upstream_retries_total'), 0);
    }
  });

  it('never retries once a byte reached the client: a cut stream ends with an error event', async () => {
    const g = await gateway([]);
    let cut = 0;
    for (let i = 0; i < TRIES; i++) {
      const id = randomUUID();
      const res = await chat(g.url, 'cut', true, id);
      assert.equal(res.status, 200);
      if (res.headers['target-pod'] !== cutting.address) continue;
      cut++;
      assert.match(res.body, /"par".*event: error\ndata: \{"error":\{[^\n]*"code":"upstream_interrupted"/s);
      assert.ok(!res.body.includes('[DONE]'));
      assert.ok(
        good.requests.every((r) => r.headers['x-request-id'] !== id),
        'the good endpoint never saw the request',
      );
    }
    assert.ok(cut > 0, 'some streams landed on the cutting endpoint');
  });
});
