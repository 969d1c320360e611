/**
 * End to end: the gateway pushes its metrics over OTLP (`OTEL_METRICS_EXPORTER=otlp`) to
 * the real Collector running configs/otel-collector.yaml, whose Prometheus exporter a real
 * Prometheus scrapes with the `otel-collector` job of configs/prometheus.yml. Every series
 * of the gateway's own /metrics for the chosen families is found in Prometheus with the
 * same name, labels and value.
 *
 * Needs `scripts/lab/install.sh` (run by `npm run test:e2e`).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { rewritePrometheusConfig } from '../../lab/rewrite.js';
import { type FakeUpstream, writeEndpointsFile } from '../helpers/fake-upstream.js';
import { tempDir } from '../helpers/files.js';
import { type RunningGateway, startGateway } from '../helpers/gateway-process.js';
import { startOpenAIUpstream } from '../helpers/openai-upstream.js';
import { parsePrometheus, type Sample } from '../helpers/prometheus.js';
import {
  eventually,
  freePort,
  type LabProcess,
  labBinary,
  prometheusQuery,
  REPO,
  startCollector,
  startProcess,
  waitHttp,
} from './lab.js';

describe('e2e: OTLP metrics through the real Collector into the real Prometheus', () => {
  let upstream: FakeUpstream;
  let collector: LabProcess;
  let prometheus: LabProcess;
  let gateway: RunningGateway;
  let promUrl: string;

  before(async () => {
    upstream = await startOpenAIUpstream();
    const started = await startCollector(await freePort()); // no traces are sent here
    collector = started.process;

    const dir = tempDir('switchyard-e2e-otlp-metrics-');
    const config = rewritePrometheusConfig(
      readFileSync(join(REPO, 'configs/prometheus.yml'), 'utf8'),
      new Map([['otel-collector:8889', `127.0.0.1:${started.promExporterPort}`]]),
    ).replace('scrape_interval: 5s', 'scrape_interval: 1s');
    writeFileSync(join(dir, 'prometheus.yml'), config);
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    prometheus = startProcess('prometheus', labBinary('prometheus'), [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      '--log.level=warn',
    ]);
    await waitHttp(`${promUrl}/-/ready`, 60_000, `Prometheus (log: ${prometheus.logFile})`);

    gateway = await startGateway(['--endpoints-config', writeEndpointsFile({ qwen: [upstream.address] })], {
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${started.otlpHttpPort}`,
      OTEL_METRIC_EXPORT_INTERVAL: '1000',
      OTEL_AIGW_METRICS_REQUEST_HEADER_ATTRIBUTES: 'x-tenant-id:tenant.id',
    });
    for (const body of [
      { model: 'qwen', messages: [{ role: 'user', content: 'hi' }] },
      {
        model: 'qwen',
        messages: [{ role: 'user', content: 'hi' }],
        stream: true,
        stream_options: { include_usage: true },
      },
    ]) {
      const res = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'x-tenant-id': 'green' },
        body: JSON.stringify(body),
      });
      await res.text();
    }
  });

  after(async () => {
    await gateway?.stop();
    await prometheus?.stop();
    await collector?.stop();
    await upstream?.close();
  });

  const families = [
    'switchyard_routing_decisions_total',
    'switchyard_endpoint_in_flight',
    'switchyard_gateway_overhead_seconds_count',
    'gen_ai_client_token_usage_sum',
    'gen_ai_server_request_duration_seconds_bucket',
    'gen_ai_server_time_to_first_token_seconds_count',
  ];

  it("finds every series of the gateway's /metrics in Prometheus, same name, labels and value", async () => {
    const own = parsePrometheus(await (await fetch(`${gateway.adminUrl}/metrics`)).text());
    for (const family of families) {
      const expected = own.all(family);
      assert.ok(expected.length > 0, `the gateway serves ${family}`);
      const found = await eventually(
        async () => {
          const result = await prometheusQuery(promUrl, `${family}{job="switchyard"}`);
          return result.length >= expected.length ? result : undefined;
        },
        30_000,
        `${family} in Prometheus`,
      );
      const key = (labels: Readonly<Record<string, string>>) =>
        JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
      const inPrometheus = new Map(
        found.map((s) => {
          const { __name__: _n, job: _j, instance: _i, ...labels } = s.metric;
          return [key(labels), Number(s.value[1])];
        }),
      );
      for (const sample of expected as Sample[]) {
        assert.equal(
          inPrometheus.get(key(sample.labels)),
          sample.value,
          `${family}${JSON.stringify(sample.labels)} arrived with its value`,
        );
      }
    }
    const [tokens] = await prometheusQuery(
      promUrl,
      'gen_ai_client_token_usage_sum{gen_ai_token_type="output"}',
    );
    assert.equal(tokens!.metric['tenant_id'], 'green', 'header-mapped labels travel too');
    assert.equal(tokens!.metric['job'], 'switchyard', 'the service name becomes the job');
  });
});
