/**
 * End to end: a real Prometheus scrapes the gateway's admin port with
 * `configs/prometheus.yml` (its target rewritten to the test's port) and every series the
 * README lists is found through `/api/v1/query` with the expected labels.
 *
 * Needs `scripts/lab/install.sh` (run by `npm run test:e2e`).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type FakeUpstream, writeEndpointsFile } from '../helpers/fake-upstream.js';
import { tempDir } from '../helpers/files.js';
import { type RunningGateway, startGateway } from '../helpers/gateway-process.js';
import { startOpenAIUpstream } from '../helpers/openai-upstream.js';
import {
  eventually,
  freePort,
  type LabProcess,
  labBinary,
  prometheusQuery,
  REPO,
  startProcess,
  waitHttp,
} from './lab.js';

describe('e2e: a real Prometheus scrapes /metrics', () => {
  let upstream: FakeUpstream;
  let gateway: RunningGateway;
  let prometheus: LabProcess;
  let promUrl: string;
  let downEndpoint: string;

  before(async () => {
    upstream = await startOpenAIUpstream();
    downEndpoint = `127.0.0.1:${await freePort()}`; // nothing listens there
    const endpoints = writeEndpointsFile({
      qwen: [upstream.address],
      'missing-upstream': [upstream.address],
      down: [downEndpoint],
    });
    gateway = await startGateway(['--endpoints-config', endpoints], {
      OTEL_AIGW_METRICS_REQUEST_HEADER_ATTRIBUTES: 'x-team-id:team.id',
    });

    const config = readFileSync(join(REPO, 'configs/prometheus.yml'), 'utf8')
      .replace('127.0.0.1:1064', `127.0.0.1:${gateway.adminPort}`)
      .replace('scrape_interval: 5s', 'scrape_interval: 1s');
    const dir = tempDir('switchyard-e2e-prometheus-');
    const configFile = join(dir, 'prometheus.yml');
    writeFileSync(configFile, config);
    const check = await runCommand(labBinary('promtool'), [
      'check',
      'config',
      join(REPO, 'configs/prometheus.yml'),
    ]);
    assert.equal(check, 0, 'promtool accepts configs/prometheus.yml');

    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    prometheus = startProcess('prometheus', labBinary('prometheus'), [
      `--config.file=${configFile}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      '--log.level=warn',
    ]);
    await waitHttp(`${promUrl}/-/ready`, 60_000, `Prometheus (log: ${prometheus.logFile})`);

    const send = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
      const res = await fetch(`${gateway.url}${path}`, {
        method: 'POST',
        headers: { 'x-team-id': 'red', ...headers },
        body: JSON.stringify(body),
      });
      await res.text();
    };
    const messages = [{ role: 'user', content: 'hello' }];
    await send('/v1/chat/completions', { model: 'qwen', messages });
    await send('/v1/chat/completions', {
      model: 'qwen',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    await send('/v1/chat/completions', { model: 'missing-upstream', messages });
    await send('/v1/chat/completions', { model: 'down', messages });
    await send('/v1/embeddings', { model: 'qwen', input: 'x' });
    // The fake upstream publishes no vLLM KV-cache metric: least-kv-cache falls back, visibly.
    await send('/v1/chat/completions', { model: 'qwen', messages }, { 'routing-strategy': 'least-kv-cache' });
    await send('/v1/chat/completions', { model: 'qwen', messages }, { 'routing-strategy': 'prefix-cache' });
  });

  after(async () => {
    await prometheus?.stop();
    await gateway?.stop();
    await upstream?.close();
  });

  /** The series matching `query` once Prometheus has scraped the traffic above. */
  function series(query: string) {
    return eventually(
      async () => {
        const result = await prometheusQuery(promUrl, query);
        return result.length ? result : undefined;
      },
      30_000,
      query,
    );
  }

  const genai = {
    gen_ai_operation_name: 'chat',
    gen_ai_provider_name: 'openai',
    gen_ai_original_model: 'qwen',
    gen_ai_request_model: 'qwen',
    gen_ai_response_model: 'qwen-2025',
    team_id: 'red',
  };

  it('finds the GenAI histograms with their labels', async () => {
    for (const type of ['input', 'cached_input', 'output', 'reasoning']) {
      const [s] = await series(
        `gen_ai_client_token_usage_sum{gen_ai_token_type="${type}",gen_ai_operation_name="chat"}`,
      );
      assert.deepEqual(
        { ...s!.metric, __name__: undefined, job: undefined, instance: undefined },
        { ...genai, gen_ai_token_type: type, __name__: undefined, job: undefined, instance: undefined },
      );
    }
    const [embedding] = await series('gen_ai_client_token_usage_sum{gen_ai_operation_name="embeddings"}');
    assert.equal(embedding!.metric['gen_ai_token_type'], 'input');
    const ok = await series(
      'gen_ai_server_request_duration_seconds_count{gen_ai_original_model="qwen",gen_ai_operation_name="chat"}',
    );
    assert.equal(
      ok.reduce((n, s) => n + Number(s.value[1]), 0),
      4,
    );
    const failed = await series('gen_ai_server_request_duration_seconds_count{error_type!=""}');
    assert.deepEqual(failed.map((s) => s.metric['error_type']).sort(), ['404', 'upstream_connect_error']);
    await series(
      'gen_ai_server_time_to_first_token_seconds_count{gen_ai_original_model="qwen",team_id="red"}',
    );
    await series(
      'gen_ai_server_time_per_output_token_seconds_count{gen_ai_original_model="qwen",team_id="red"}',
    );
    const buckets = await series(
      'gen_ai_client_token_usage_bucket{gen_ai_token_type="input",gen_ai_operation_name="chat"}',
    );
    assert.equal(buckets.length, 15, '14 buckets and +Inf');
  });

  it("finds Switchyard's routing series", async () => {
    const decisions = await series('switchyard_routing_decisions_total');
    assert.deepEqual(
      decisions.map((s) => [s.metric['algorithm'], s.metric['model'], s.metric['endpoint']]).sort(),
      [
        ['least-kv-cache', 'qwen', upstream.address],
        ['prefix-cache', 'qwen', upstream.address],
        ['random', 'down', downEndpoint],
        ['random', 'missing-upstream', upstream.address],
        ['random', 'qwen', upstream.address],
      ],
    );
    const fallbacks = await series('switchyard_routing_fallbacks_total{algorithm="least-kv-cache"}');
    assert.deepEqual(
      fallbacks.map((s) => [s.metric['model'], s.metric['to'], s.metric['reason'], s.value[1]]),
      [['qwen', 'least-request', 'no_kv_cache_metric', '1']],
    );
    const inFlight = await series(`switchyard_endpoint_in_flight{endpoint="${upstream.address}"}`);
    assert.equal(inFlight[0]!.value[1], '0');
    const healthy = await series(`switchyard_endpoint_healthy{endpoint="${upstream.address}"}`);
    assert.equal(healthy[0]!.value[1], '1');
    const errors = await series('switchyard_upstream_errors_total');
    assert.deepEqual(
      errors.map((s) => [s.metric['endpoint'], s.metric['kind'], s.value[1]]),
      [[downEndpoint, 'connect', '1']],
    );
    const overhead = await series('switchyard_gateway_overhead_seconds_count{operation="chat"}');
    assert.equal(overhead[0]!.value[1], '6');
    const matches = await series(
      'switchyard_prefix_match_ratio_count{algorithm="prefix-cache",model="qwen"}',
    );
    assert.equal(matches[0]!.value[1], '1');
  });
});

async function runCommand(command: string, args: readonly string[]): Promise<number | null> {
  const proc = startProcess('promtool', command, args);
  return new Promise((resolve) => proc.child.once('exit', (code) => resolve(code)));
}
