/**
 * Active health checks through the real gateway: an endpoint whose `/health` fails is
 * shown as unhealthy, skipped by every routing algorithm (a session bound to it moves; pd
 * never prefills or decodes on it) and routed to again once its checks pass. A passing
 * check also ends a passive ejection early.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { knownAlgorithms } from '../src/routing/algorithms.js';
import { FakeUpstream, reply } from './helpers/fake-upstream.js';
import { writeEndpointsFile, writeTempFile } from './helpers/files.js';
import { type RunningGateway, startGateway } from './helpers/gateway-process.js';
import { rawRequest } from './helpers/http.js';
import { scrapeMetrics } from './helpers/prometheus.js';
import { type RunningSim, startSim, waitUntil } from './helpers/sim-process.js';

const MODEL = 'Qwen/Qwen3-8B';

/** A fake engine whose /health answers `healthStatus`, and whose inference can be told to reset. */
async function engine() {
  const state = { healthStatus: 200, reset: false };
  const upstream = await FakeUpstream.start((req, res) => {
    if (req.path === '/health') {
      res.writeHead(state.healthStatus).end();
      return;
    }
    if (state.reset) {
      res.socket?.resetAndDestroy();
      return;
    }
    reply.json(res, 200, reply.chatCompletion(upstream.address, req));
  });
  return { upstream, state };
}

function chat(url: string, headers: Record<string, string> = {}) {
  return rawRequest(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({
      model: 'm',
      messages: [{ role: 'user', content: 'a question about the timetable' }],
    }),
  });
}

async function healthy(gateway: RunningGateway, endpoint: string): Promise<number> {
  return (await scrapeMetrics(gateway.adminUrl)).value('switchyard_endpoint_healthy', { endpoint });
}

describe('active health checks', () => {
  let a: Awaited<ReturnType<typeof engine>>;
  let b: Awaited<ReturnType<typeof engine>>;
  let gateway: RunningGateway;

  before(async () => {
    a = await engine();
    b = await engine();
    gateway = await startGateway([
      '--endpoints-config',
      writeEndpointsFile({ m: [a.upstream.address, b.upstream.address] }),
      '--health-check-interval',
      '100ms',
      '--unhealthy-threshold',
      '2',
      '--ejection-time',
      '10m',
      '--max-ejection-time',
      '10m',
      '--engine-metrics-interval',
      '0',
    ]);
  });

  after(async () => {
    await gateway?.stop();
    await a?.upstream.close();
    await b?.upstream.close();
  });

  it('checks every endpoint on its own', async () => {
    await waitUntil(
      async () => b.upstream.requests.filter((r) => r.path === '/health').length >= 2,
      'b is checked',
    );
    assert.ok(a.upstream.requests.some((r) => r.path === '/health' && r.method === 'GET'));
  });

  it('an endpoint failing its checks is skipped by every algorithm, then comes back', async () => {
    // A session bound to b first: it must move when b goes out.
    let session = '';
    for (let i = 0; i < 50 && !session; i++) {
      const id = `session-${i}`;
      const res = await chat(gateway.url, { 'routing-strategy': 'session-affinity', 'x-session-id': id });
      if (res.headers['target-pod'] === b.upstream.address) session = id;
    }
    assert.ok(session, 'some session landed on b');

    b.state.healthStatus = 503;
    await waitUntil(async () => (await healthy(gateway, b.upstream.address)) === 0, 'b is out');
    const algorithms = [...knownAlgorithms().filter((n) => n !== 'pd'), 'least-request:2,prefix-cache:1'];
    for (const algorithm of algorithms) {
      for (let i = 0; i < 10; i++) {
        const res = await chat(gateway.url, { 'routing-strategy': algorithm, 'x-session-id': session });
        assert.equal(res.status, 200, `${algorithm}: ${res.body}`);
        assert.equal(res.headers['target-pod'], a.upstream.address, algorithm);
      }
    }
    const out = await gateway.process.waitForLog((l) =>
      l.msg.startsWith('endpoint failed its health checks'),
    );
    assert.equal(out?.['endpoint'], b.upstream.address);
    assert.equal(out?.['problem'], 'HTTP 503');

    b.state.healthStatus = 200;
    await waitUntil(async () => (await healthy(gateway, b.upstream.address)) === 1, 'b is back');
    const pods = new Set<string>();
    for (let i = 0; i < 40; i++) pods.add(String((await chat(gateway.url)).headers['target-pod']));
    assert.ok(pods.has(b.upstream.address), 'b receives traffic again');
  });

  it('a passed check ends a passive ejection long before its ejection time', async () => {
    b.state.reset = true;
    // The ejection time is 10 minutes: only a passed check can bring b back within this test.
    for (let i = 0; i < 50 && (await healthy(gateway, b.upstream.address)) === 1; i++) {
      assert.equal((await chat(gateway.url)).status, 200, 'a reset is failed over');
    }
    b.state.reset = false;
    await waitUntil(async () => (await healthy(gateway, b.upstream.address)) === 1, 'b is readmitted');
    await gateway.process.waitForLog(
      (l) =>
        l.msg === 'upstream failed before responding' &&
        l['ejected'] === true &&
        l['endpoint'] === b.upstream.address,
    );
  });
});

describe('active health checks with pd', () => {
  let prefill: RunningSim;
  let decode: RunningSim;
  let badPrefill: Awaited<ReturnType<typeof engine>>;
  let badDecode: Awaited<ReturnType<typeof engine>>;
  let gateway: RunningGateway;

  before(async () => {
    prefill = await startSim(['--time-scale', '0.02', '--role', 'prefill']);
    decode = await startSim(['--time-scale', '0.02', '--role', 'decode']);
    badPrefill = await engine();
    badDecode = await engine();
    badPrefill.state.healthStatus = 500;
    badDecode.state.healthStatus = 500;
    const roleset = (p: string[], d: string[]) =>
      `models:\n  - name: ${JSON.stringify(MODEL)}\n    rolesets:\n      - name: default\n        prefill: ${JSON.stringify(p)}\n        decode: ${JSON.stringify(d)}\n`;
    gateway = await startGateway([
      '--endpoints-config',
      writeTempFile(
        'endpoints.yaml',
        roleset([prefill.address, badPrefill.upstream.address], [decode.address, badDecode.upstream.address]),
      ),
      '--routing-algorithm',
      'pd',
      '--health-check-interval',
      '100ms',
      '--unhealthy-threshold',
      '1',
    ]);
  });

  after(async () => {
    await gateway?.stop();
    for (const s of [prefill, decode]) await s?.stop();
    await badPrefill?.upstream.close();
    await badDecode?.upstream.close();
  });

  it('never prefills or decodes on an endpoint that fails its checks', async () => {
    await waitUntil(
      async () =>
        (await healthy(gateway, badPrefill.upstream.address)) === 0 &&
        (await healthy(gateway, badDecode.upstream.address)) === 0,
      'both bad engines are out',
    );
    for (let i = 0; i < 10; i++) {
      const res = await rawRequest(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        body: JSON.stringify({ model: MODEL, max_tokens: 4, messages: [{ role: 'user', content: `q${i}` }] }),
      });
      assert.equal(res.status, 200, res.body);
      assert.equal(res.headers['prefill-target-pod'], prefill.address);
      assert.equal(res.headers['target-pod'], decode.address);
    }
    const inference = (e: Awaited<ReturnType<typeof engine>>) =>
      e.upstream.requests.filter((r) => r.path.startsWith('/v1/')).length;
    assert.equal(inference(badPrefill) + inference(badDecode), 0);
  });
});
