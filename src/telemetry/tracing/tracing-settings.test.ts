import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tracingSettingsFrom } from './tracing-settings.js';

describe('tracingSettingsFrom', () => {
  const table: [NodeJS.ProcessEnv, ReturnType<typeof tracingSettingsFrom>][] = [
    [{}, { enabled: false, exporters: [], protocol: 'http/protobuf' }],
    [
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' },
      { enabled: true, exporters: ['otlp'], protocol: 'http/protobuf', endpoint: 'http://c:4318' },
    ],
    [
      {
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://d',
      },
      { enabled: true, exporters: ['otlp'], protocol: 'http/protobuf', endpoint: 'http://c:4318/v1/traces' },
    ],
    [
      { OTEL_TRACES_EXPORTER: 'console' },
      { enabled: true, exporters: ['console'], protocol: 'http/protobuf' },
    ],
    [
      { OTEL_TRACES_EXPORTER: 'otlp, console', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' },
      { enabled: true, exporters: ['otlp', 'console'], protocol: 'grpc' },
    ],
    [
      { OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c' },
      { enabled: false, exporters: [], protocol: 'http/protobuf' },
    ],
    [
      { OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' },
      { enabled: false, exporters: [], protocol: 'http/protobuf' },
    ],
    [
      {
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
        OTEL_TRACES_EXPORTER: 'otlp',
      },
      { enabled: true, exporters: ['otlp'], protocol: 'http/json' },
    ],
  ];
  for (const [env, expected] of table) {
    it(JSON.stringify(env), () => assert.deepEqual(tracingSettingsFrom(env), expected));
  }

  it('rejects unknown exporters and protocols with the variable named', () => {
    assert.throws(() => tracingSettingsFrom({ OTEL_TRACES_EXPORTER: 'zipkin' }), {
      message: 'OTEL_TRACES_EXPORTER="zipkin" is not supported; use otlp, console or none',
    });
    assert.throws(() => tracingSettingsFrom({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http' }), {
      message: 'OTEL_EXPORTER_OTLP_PROTOCOL="http" must be one of http/protobuf, http/json, grpc',
    });
    assert.throws(
      () => tracingSettingsFrom({ OTEL_TRACES_EXPORTER: 'none,otlp' }),
      /mixes none with exporters/,
    );
  });
});
