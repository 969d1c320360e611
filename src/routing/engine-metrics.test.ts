import assert from 'node:assert/strict';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { spec } from '../../test/helpers/router-contract.js';
import { EndpointRegistry } from './endpoint-state.js';
import { EngineMetricsPoller, metricsUrlOf, readEngineMetrics } from './engine-metrics.js';

const VLLM_TEXT = `# HELP vllm:num_requests_running Number of requests in model execution batches.
# TYPE vllm:num_requests_running gauge
vllm:num_requests_running{engine="0",model_name="m"} 3.0
# TYPE vllm:num_requests_waiting gauge
vllm:num_requests_waiting{engine="0",model_name="m"} 1.0
# TYPE vllm:kv_cache_usage_perc gauge
vllm:kv_cache_usage_perc{engine="0",model_name="m"} 0.42
# TYPE vllm:prefix_cache_hits_total counter
vllm:prefix_cache_hits_total{engine="0",model_name="m"} 1200.0
`;

/** A small engine metrics server: `/metrics` answers with `body` and `status`, or hangs. */
class MetricsServer {
  body = VLLM_TEXT;
  status = 200;
  hang = false;
  hits = new Map<string, number>();
  private constructor(private readonly server: Server) {}

  static async start(): Promise<MetricsServer> {
    const server = http.createServer();
    const m = new MetricsServer(server);
    server.on('request', (req, res) => {
      m.hits.set(req.url ?? '', (m.hits.get(req.url ?? '') ?? 0) + 1);
      if (m.hang) return;
      res.writeHead(m.status, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(m.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return m;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

async function until(probe: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('engine metrics', () => {
  let server: MetricsServer;
  before(async () => {
    server = await MetricsServer.start();
  });
  after(() => server.close());

  it('reads vLLM gauges, with the older and the SGLang names as second choices', () => {
    assert.deepEqual(readEngineMetrics(VLLM_TEXT, 5), {
      scrapedAt: 5,
      kvCacheUsage: 0.42,
      running: 3,
      waiting: 1,
    });
    assert.deepEqual(readEngineMetrics('vllm:gpu_cache_usage_perc{model_name="m"} 0.5\n', 1), {
      scrapedAt: 1,
      kvCacheUsage: 0.5,
    });
    const sglang =
      'sglang:token_usage{tp="0"} 0.2\nsglang:token_usage{tp="1"} 0.4\nsglang:num_queue_reqs 2\n';
    const read = readEngineMetrics(sglang, 1);
    assert.ok(Math.abs(read.kvCacheUsage! - 0.3) < 1e-9, 'mean over engines');
    assert.equal(read.waiting, 2);
  });

  it('scrapes http://host:port/metrics by default, or the configured URL', async () => {
    assert.equal(metricsUrlOf(spec('10.0.0.1:8000')), 'http://10.0.0.1:8000/metrics');
    assert.equal(metricsUrlOf({ ...spec('h:1'), tls: true }), 'https://h:1/metrics');
    assert.equal(metricsUrlOf({ ...spec('h:1'), host: '::1' }), 'http://[::1]:1/metrics');

    const registry = new EndpointRegistry();
    const plain = registry.state(spec(`127.0.0.1:${server.port}`));
    const custom = registry.state(
      spec('127.0.0.1:1', { metricsUrl: `http://127.0.0.1:${server.port}/engine/metrics` }),
    );
    const poller = new EngineMetricsPoller([plain, custom], { intervalMs: 1_000, timeoutMs: 1_000 });
    assert.equal(await poller.scrape(plain), undefined);
    assert.equal(await poller.scrape(custom), undefined);
    assert.equal(plain.engine?.kvCacheUsage, 0.42);
    assert.equal(custom.engine?.running, 3);
    assert.ok(server.hits.get('/engine/metrics')! >= 1);
    assert.equal(plain.engineStale, false);
  });

  it('gives up on a scrape at the timeout and reports why', async () => {
    server.hang = true;
    try {
      const state = new EndpointRegistry().state(spec(`127.0.0.1:${server.port}`));
      const poller = new EngineMetricsPoller([state], { intervalMs: 1_000, timeoutMs: 100 });
      assert.equal(await poller.scrape(state), 'no answer within 100 ms');
      assert.equal(state.engine, undefined);
      assert.equal(state.engineStale, true);
    } finally {
      server.hang = false;
    }
  });

  it('reports HTTP errors and refused connections', async () => {
    const state = new EndpointRegistry().state(spec(`127.0.0.1:${server.port}`));
    const poller = new EngineMetricsPoller([state], { intervalMs: 1_000, timeoutMs: 1_000 });
    server.status = 404;
    try {
      assert.equal(await poller.scrape(state), 'HTTP 404');
    } finally {
      server.status = 200;
    }
    const gone = await MetricsServer.start();
    const port = gone.port;
    await gone.close();
    const closed = new EndpointRegistry().state(spec(`127.0.0.1:${port}`));
    assert.equal(await poller.scrape(closed), 'ECONNREFUSED');
  });

  it('polls on an interval; data turns stale when scrapes fail, and fresh again when they recover', async () => {
    const registry = new EndpointRegistry({ staleAfterMs: 150 });
    const state = registry.state(spec(`127.0.0.1:${server.port}`));
    const problems: (string | undefined)[] = [];
    const poller = new EngineMetricsPoller([state], {
      intervalMs: 20,
      timeoutMs: 100,
      onProblem: (_endpoint, _url, problem) => problems.push(problem),
    });
    poller.start();
    try {
      await until(() => state.engine !== undefined && !state.engineStale, 'the first scrape');
      server.status = 500;
      await until(() => state.engineStale, 'the data is stale');
      assert.deepEqual(problems, ['HTTP 500'], 'reported once, not per scrape');
      server.status = 200;
      server.body = VLLM_TEXT.replace('0.42', '0.07');
      await until(() => !state.engineStale && state.engine?.kvCacheUsage === 0.07, 'fresh data again');
      assert.deepEqual(problems, ['HTTP 500', undefined]);
    } finally {
      poller.stop();
      server.status = 200;
      server.body = VLLM_TEXT;
    }
  });
});
