import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MetricsExportSettingsError, metricsExportSettingsFrom } from './metrics-export-settings.js';

describe('metricsExportSettingsFrom', () => {
  it('is off unless OTEL_METRICS_EXPORTER asks for a push, even with an OTLP endpoint', () => {
    assert.equal(metricsExportSettingsFrom({}).enabled, false);
    assert.equal(metricsExportSettingsFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }).enabled, false);
    assert.equal(metricsExportSettingsFrom({ OTEL_METRICS_EXPORTER: 'none' }).enabled, false);
    assert.equal(metricsExportSettingsFrom({ OTEL_METRICS_EXPORTER: 'prometheus' }).enabled, false);
    const disabled = { OTEL_METRICS_EXPORTER: 'otlp', OTEL_SDK_DISABLED: 'true' };
    assert.equal(metricsExportSettingsFrom(disabled).enabled, false);
  });

  it('reads the exporters, protocol, interval, timeout and endpoint', () => {
    assert.deepEqual(
      metricsExportSettingsFrom({
        OTEL_METRICS_EXPORTER: 'otlp, console',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318/',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_METRIC_EXPORT_INTERVAL: '5000',
      }),
      {
        enabled: true,
        exporters: ['otlp', 'console'],
        protocol: 'http/json',
        intervalMs: 5000,
        timeoutMs: 5000,
        endpoint: 'http://c:4318/v1/metrics',
      },
    );
    const specific = metricsExportSettingsFrom({
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://m:9/push',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'grpc',
    });
    assert.equal(specific.endpoint, 'http://m:9/push');
    assert.equal(specific.protocol, 'grpc');
    assert.equal(specific.intervalMs, 60_000);
    assert.equal(specific.timeoutMs, 30_000);
  });

  it('rejects unknown exporters, protocols and intervals, naming the variable', () => {
    const cases: [NodeJS.ProcessEnv, RegExp][] = [
      [{ OTEL_METRICS_EXPORTER: 'zipkin' }, /^OTEL_METRICS_EXPORTER="zipkin" is not supported/],
      [{ OTEL_METRICS_EXPORTER: 'none,otlp' }, /mixes none with exporters/],
      [
        { OTEL_METRICS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http' },
        /^OTEL_EXPORTER_OTLP_METRICS_PROTOCOL="http" must be one of/,
      ],
      [
        { OTEL_METRICS_EXPORTER: 'otlp', OTEL_METRIC_EXPORT_INTERVAL: '1s' },
        /^OTEL_METRIC_EXPORT_INTERVAL="1s"/,
      ],
      [{ OTEL_METRICS_EXPORTER: 'otlp', OTEL_METRIC_EXPORT_TIMEOUT: '0' }, /^OTEL_METRIC_EXPORT_TIMEOUT="0"/],
    ];
    for (const [env, message] of cases) {
      assert.throws(
        () => metricsExportSettingsFrom(env),
        (err: Error) => {
          assert.ok(err instanceof MetricsExportSettingsError);
          assert.match(err.message, message);
          return true;
        },
      );
    }
  });
});
