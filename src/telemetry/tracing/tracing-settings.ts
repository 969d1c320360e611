/**
 * Whether tracing is on, from the standard OpenTelemetry variables, decided before any
 * OpenTelemetry code is loaded: with no exporter and no endpoint configured, tracing is off
 * and costs nothing (the SDK is not even imported).
 *
 * - `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none`: off.
 * - `OTEL_TRACES_EXPORTER` = `otlp`, `console` or both (comma-separated): on.
 * - unset: on (OTLP) when `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` or `OTEL_EXPORTER_OTLP_ENDPOINT` is set.
 * - `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL` / `OTEL_EXPORTER_OTLP_PROTOCOL`: `http/protobuf`
 *   (default; the only one Phoenix accepts over HTTP), `http/json` or `grpc`.
 */
export type TraceExporterName = 'otlp' | 'console';
export type OtlpProtocol = 'http/protobuf' | 'http/json' | 'grpc';

export interface TracingSettings {
  readonly enabled: boolean;
  readonly exporters: readonly TraceExporterName[];
  readonly protocol: OtlpProtocol;
  /** Where OTLP spans go, for the startup log (undefined: the exporter's default). */
  readonly endpoint?: string;
}

/** A tracing variable that cannot be used; the message names it. */
export class TracingSettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TracingSettingsError';
  }
}

const PROTOCOLS: readonly OtlpProtocol[] = ['http/protobuf', 'http/json', 'grpc'];

export function tracingSettingsFrom(env: NodeJS.ProcessEnv): TracingSettings {
  const protocolVariable = env['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL']?.trim()
    ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'
    : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const protocol = (env[protocolVariable]?.trim() || 'http/protobuf') as OtlpProtocol;
  if (!PROTOCOLS.includes(protocol)) {
    throw new TracingSettingsError(
      `${protocolVariable}="${protocol}" must be one of ${PROTOCOLS.join(', ')}`,
    );
  }
  const endpoint =
    env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']?.trim() ||
    env['OTEL_EXPORTER_OTLP_ENDPOINT']?.trim() ||
    undefined;
  const off: TracingSettings = { enabled: false, exporters: [], protocol };
  if (env['OTEL_SDK_DISABLED']?.trim().toLowerCase() === 'true') return off;

  const names = (env['OTEL_TRACES_EXPORTER'] ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (names.length === 0) {
    return endpoint ? { enabled: true, exporters: ['otlp'], protocol, endpoint } : off;
  }
  if (names.includes('none')) {
    if (names.length > 1) {
      throw new TracingSettingsError(
        `OTEL_TRACES_EXPORTER="${env['OTEL_TRACES_EXPORTER']}" mixes none with exporters`,
      );
    }
    return off;
  }
  for (const name of names) {
    if (name !== 'otlp' && name !== 'console') {
      throw new TracingSettingsError(
        `OTEL_TRACES_EXPORTER="${name}" is not supported; use otlp, console or none`,
      );
    }
  }
  const exporters = [...new Set(names)] as TraceExporterName[];
  return { enabled: true, exporters, protocol, ...(endpoint ? { endpoint } : {}) };
}
