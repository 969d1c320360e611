/**
 * Engine metrics and visible fallbacks through the real gateway: least-kv-cache reads each
 * engine's /metrics (on its serving port or a configured one), and falls back visibly
 * (response header, log line, counter) when it cannot.
 */
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { FakeUpstream, type RecordedRequest, reply } from './helpers/fake-upstream.js';
import { writeTempFile } from './helpers/files.js';
import { startGateway } from './helpers/gateway-process.js';

/** A fake engine answering chat, and `/metrics` with the given KV-cache usage (404 when undefined). */
function engine(usage: { value: number | undefined }, name: string) {
  return (req: RecordedRequest, res: ServerResponse) => {
    if (req.path === '/metrics') {
      if (usage.value === undefined) return reply.json(res, 404, { error: 'no metrics here' });
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(
        `# TYPE vllm:kv_cache_usage_perc gauge\nvllm:kv_cache_usage_perc{model_name="m",engine="0"} ${usage.value}\n`,
      );
      return;
    }
    reply.json(res, 200, reply.chatCompletion(name, req));
  };
}

async function until(probe: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('engine metrics and visible fallbacks', () => {
  const busyUsage = { value: 0.9 as number | undefined };
  const idleUsage = { value: 0.1 as number | undefined };
  let busy: FakeUpstream;
  let idle: FakeUpstream;
  let idleMetrics: FakeUpstream;

  before(async () => {
    busy = await FakeUpstream.start(engine(busyUsage, 'busy'));
    idle = await FakeUpstream.start(engine({ value: undefined }, 'idle'));
    // idle's engine exports its metrics on another port, as a configured metrics URL says.
    idleMetrics = await FakeUpstream.start(engine(idleUsage, 'metrics only'));
  });

  after(async () => {
    await busy?.close();
    await idle?.close();
    await idleMetrics?.close();
  });

  const file = () =>
    writeTempFile(
      'endpoints.yaml',
      `models:
  - name: m
    endpoints:
      - "${busy.address}"
      - address: "${idle.address}"
        metrics: ${idleMetrics.port}
`,
    );

  const ask = async (url: string) => {
    const res = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
    });
    await res.arrayBuffer();
    return { pod: res.headers.get('target-pod'), strategy: res.headers.get('routing-strategy') };
  };

  it('least-kv-cache sends requests to the engine with the lowest scraped usage', async () => {
    const gateway = await startGateway(['--endpoints-config', file(), '--engine-metrics-interval', '50ms'], {
      ROUTING_ALGORITHM: 'least-kv-cache',
    });
    try {
      await until(
        async () => (await ask(gateway.url)).strategy === 'least-kv-cache',
        'both engines are scraped',
      );
      for (let i = 0; i < 5; i++)
        assert.deepEqual(await ask(gateway.url), { pod: idle.address, strategy: 'least-kv-cache' });
      assert.ok(
        idleMetrics.requests.some((r) => r.path === '/metrics'),
        'the configured metrics port was scraped',
      );
      busyUsage.value = 0.05;
      await until(async () => (await ask(gateway.url)).pod === busy.address, 'the change is scraped');
    } finally {
      busyUsage.value = 0.9;
      await gateway.stop();
    }
  });

  it('falls back visibly when an engine has no metrics: header, log line and counter', async () => {
    busyUsage.value = undefined;
    const gateway = await startGateway([
      '--endpoints-config',
      file(),
      '--engine-metrics-interval',
      '50ms',
      '--routing-algorithm',
      'least-kv-cache',
    ]);
    try {
      const answer = await ask(gateway.url);
      assert.equal(answer.strategy, 'least-kv-cache->least-request');
      const log = await gateway.process.waitForLog((l) => l.msg === 'routing fell back');
      assert.equal(log['strategy'], 'least-kv-cache->least-request');
      assert.match(String(log['reason']), /^(no_engine_metrics|stale_engine_metrics)$/);
      assert.match(String(log['detail']), new RegExp(busy.address));
      const metrics = await (await fetch(`${gateway.adminUrl}/metrics`)).text();
      assert.match(
        metrics,
        /switchyard_routing_fallbacks_total\{algorithm="least-kv-cache",model="m",to="least-request",reason="(no|stale)_engine_metrics"\} [1-9]/,
      );
      await gateway.process.waitForLog(
        (l) => l.msg === 'engine metrics scrape failing' && l['endpoint'] === busy.address,
      );
    } finally {
      busyUsage.value = 0.9;
      await gateway.stop();
    }
  });
});
