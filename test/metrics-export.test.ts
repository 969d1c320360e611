/**
 * OTLP metrics push (`OTEL_METRICS_EXPORTER=otlp`): the gateway sends the series it serves
 * on /metrics, with the same names, labels and values, to an OTLP/HTTP JSON receiver run by
 * the test; the last values are pushed on SIGTERM. Bad settings stop the start with exit 2.
 * (The push through a real Collector into a real Prometheus is in test/e2e/.)
 */
import assert from 'node:assert/strict';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type FakeUpstream, writeEndpointsFile } from './helpers/fake-upstream.js';
import { runCli, startGateway } from './helpers/gateway-process.js';
import { startOpenAIUpstream } from './helpers/openai-upstream.js';
import { decodeAttributes } from './helpers/otlp-receiver.js';
import { parsePrometheus } from './helpers/prometheus.js';

interface JsonPoint {
  attributes?: Parameters<typeof decodeAttributes>[0];
  asDouble?: number;
  count?: string | number;
  sum?: number;
  bucketCounts?: (string | number)[];
  explicitBounds?: number[];
}
interface JsonMetric {
  name: string;
  sum?: { dataPoints: JsonPoint[]; isMonotonic?: boolean; aggregationTemporality?: number };
  gauge?: { dataPoints: JsonPoint[] };
  histogram?: { dataPoints: JsonPoint[]; aggregationTemporality?: number };
}
interface Export {
  resourceMetrics: {
    resource: { attributes: Parameters<typeof decodeAttributes>[0] };
    scopeMetrics: { metrics: JsonMetric[] }[];
  }[];
}

/** Receives OTLP/HTTP JSON metric exports on POST /v1/metrics. */
async function startMetricsReceiver(): Promise<{ url: string; exports: Export[]; close(): Promise<void> }> {
  const exports: Export[] = [];
  const server: Server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/v1/metrics') exports.push(JSON.parse(Buffer.concat(chunks).toString()) as Export);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    exports,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function metricsIn(exp: Export): Map<string, JsonMetric> {
  const out = new Map<string, JsonMetric>();
  for (const rm of exp.resourceMetrics)
    for (const sm of rm.scopeMetrics) for (const m of sm.metrics) out.set(m.name, m);
  return out;
}

describe('OTLP metrics export', () => {
  let upstream: FakeUpstream;
  let file: string;

  before(async () => {
    upstream = await startOpenAIUpstream();
    file = writeEndpointsFile({ qwen: [upstream.address] });
  });

  after(async () => {
    await upstream?.close();
  });

  it('pushes the /metrics series with the same names, labels and values, and the last ones on SIGTERM', async () => {
    const receiver = await startMetricsReceiver();
    const gateway = await startGateway(['--endpoints-config', file], {
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_METRIC_EXPORT_INTERVAL: '60000', // only the final push on SIGTERM
      OTEL_SERVICE_NAME: 'gw-under-test',
      OTEL_AIGW_METRICS_REQUEST_HEADER_ATTRIBUTES: 'x-tenant-id:tenant.id',
    });
    try {
      const started = await gateway.process.waitForLog((l) => l.msg === 'exporting metrics');
      assert.equal(started['endpoint'], `${receiver.url}/v1/metrics`);
      for (let i = 0; i < 2; i++) {
        const res = await fetch(`${gateway.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'x-tenant-id': 'blue' },
          body: JSON.stringify({ model: 'qwen', messages: [{ role: 'user', content: 'hi' }] }),
        });
        await res.text();
      }
      const scraped = parsePrometheus(await (await fetch(`${gateway.adminUrl}/metrics`)).text());
      assert.equal(await gateway.stop(), 0);

      assert.equal(receiver.exports.length, 1, 'one push, at shutdown');
      const exp = receiver.exports[0]!;
      assert.equal(
        decodeAttributes(exp.resourceMetrics[0]!.resource.attributes)['service.name'],
        'gw-under-test',
      );
      const pushed = metricsIn(exp);

      const decisions = pushed.get('switchyard_routing_decisions_total')!;
      assert.equal(decisions.sum?.isMonotonic, true);
      assert.deepEqual(
        decisions.sum!.dataPoints.map((p) => [decodeAttributes(p.attributes), p.asDouble]),
        [[{ algorithm: 'random', model: 'qwen', endpoint: upstream.address }, 2]],
      );
      assert.deepEqual(
        scraped.all('switchyard_routing_decisions_total').map((s) => [s.labels, s.value]),
        [[{ algorithm: 'random', model: 'qwen', endpoint: upstream.address }, 2]],
      );

      const duration = pushed.get('gen_ai_server_request_duration_seconds')!.histogram!.dataPoints;
      assert.equal(duration.length, 1);
      const labels = decodeAttributes(duration[0]!.attributes);
      const [scrapedCount] = scraped.all('gen_ai_server_request_duration_seconds_count');
      assert.deepEqual(labels, scrapedCount!.labels, 'same label names and values as /metrics');
      assert.equal(labels['tenant_id'], 'blue');
      assert.equal(Number(duration[0]!.count), 2);
      // Per-bucket counts add up to the count; the bounds are the /metrics `le` values.
      assert.equal(
        duration[0]!.bucketCounts!.reduce((n: number, c) => n + Number(c), 0),
        2,
      );
      const les = scraped
        .all('gen_ai_server_request_duration_seconds_bucket')
        .map((s) => s.labels['le'])
        .filter((le) => le !== '+Inf')
        .map(Number);
      assert.deepEqual(duration[0]!.explicitBounds, les);

      assert.ok(pushed.get('switchyard_endpoint_in_flight')?.gauge, 'gauges are gauges');
    } finally {
      await gateway.stop();
      await receiver.close();
    }
  });

  const refusals: [Record<string, string>, string][] = [
    [
      { OTEL_METRICS_EXPORTER: 'statsd' },
      'switchyard: OTEL_METRICS_EXPORTER="statsd" is not supported; use otlp, console, prometheus or none\n',
    ],
    [
      { OTEL_METRICS_EXPORTER: 'otlp', OTEL_METRIC_EXPORT_INTERVAL: '5s' },
      'switchyard: OTEL_METRIC_EXPORT_INTERVAL="5s" must be a whole number of milliseconds above 0\n',
    ],
  ];
  for (const [env, stderr] of refusals) {
    it(`refuses to start with ${JSON.stringify(env)}`, async () => {
      const result = await runCli(
        ['run', '--endpoints-config', file, '--port', '0', '--admin-port', '0'],
        env,
      );
      assert.deepEqual({ code: result.code, stderr: result.stderr }, { code: 2, stderr });
    });
  }
});
