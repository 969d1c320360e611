/**
 * Telemetry settings as a user meets them at start: credential headers cannot be mapped,
 * unusable values stop the gateway with one line naming the variable, tracing is off
 * unless configured, and the console exporter prints spans.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type FakeUpstream, writeEndpointsFile } from './helpers/fake-upstream.js';
import { runCli, startGateway } from './helpers/gateway-process.js';
import { startOpenAIUpstream } from './helpers/openai-upstream.js';

describe('telemetry configuration at start', () => {
  let upstream: FakeUpstream;
  let file: string;

  before(async () => {
    upstream = await startOpenAIUpstream();
    file = writeEndpointsFile({ qwen: [upstream.address] });
  });

  after(async () => {
    await upstream?.close();
  });

  const refusals: [Record<string, string>, string][] = [
    [
      { OTEL_AIGW_SPAN_REQUEST_HEADER_ATTRIBUTES: 'authorization:user.token' },
      'switchyard: OTEL_AIGW_SPAN_REQUEST_HEADER_ATTRIBUTES: header "authorization" carries credentials and can never be mapped to an attribute\n',
    ],
    [
      { OTEL_AIGW_METRICS_REQUEST_HEADER_ATTRIBUTES: 'x-api-key:key' },
      'switchyard: OTEL_AIGW_METRICS_REQUEST_HEADER_ATTRIBUTES: header "x-api-key" carries credentials and can never be mapped to an attribute\n',
    ],
    [
      { OTEL_AIGW_REQUEST_HEADER_ATTRIBUTES: 'Api-Key:k' },
      'switchyard: OTEL_AIGW_REQUEST_HEADER_ATTRIBUTES: header "api-key" carries credentials and can never be mapped to an attribute\n',
    ],
    [
      { OPENINFERENCE_HIDE_INPUTS: 'yes' },
      'switchyard: OPENINFERENCE_HIDE_INPUTS="yes" must be true or false\n',
    ],
    [
      { OTEL_TRACES_EXPORTER: 'jaeger' },
      'switchyard: OTEL_TRACES_EXPORTER="jaeger" is not supported; use otlp, console or none\n',
    ],
    [
      { OTEL_EXPORTER_OTLP_PROTOCOL: 'http' },
      'switchyard: OTEL_EXPORTER_OTLP_PROTOCOL="http" must be one of http/protobuf, http/json, grpc\n',
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

  it('leaves tracing off when no exporter and no endpoint is set', async () => {
    const gateway = await startGateway(['--endpoints-config', file]);
    const ready = await gateway.process.waitForLog((l) => l.msg === 'switchyard listening');
    assert.equal(ready['tracing'], false);
    const res = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'qwen', messages: [{ role: 'user', content: 'x' }] }),
    });
    await res.text();
    assert.equal(upstream.requests.at(-1)!.headers['traceparent'], undefined, 'no trace context invented');
    await gateway.stop();
  });

  it('prints spans with OTEL_TRACES_EXPORTER=console', async () => {
    const gateway = await startGateway(['--endpoints-config', file], { OTEL_TRACES_EXPORTER: 'console' });
    const res = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'x-request-id': 'console-1' },
      body: JSON.stringify({ model: 'qwen', messages: [{ role: 'user', content: 'x' }] }),
    });
    await res.text();
    await gateway.stop();
    assert.match(gateway.process.stdout, /name: 'ChatCompletion'/);
    assert.match(gateway.process.stdout, /'switchyard\.request_id': 'console-1'/);
  });
});
