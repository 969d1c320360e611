/**
 * Whether the gateway also pushes its metrics over OTLP, from the standard variables,
 * decided before any OpenTelemetry code is loaded. The Prometheus endpoint on the admin
 * port is always served; pushing is opt-in:
 *
 * - `OTEL_METRICS_EXPORTER` = `otlp`, `console` or both (comma-separated): push.
 *   Unset, `none` or `prometheus` (the pull endpoint alone): no push. Unlike the
 *   OpenTelemetry default, an OTLP endpoint set for traces does not start a metrics push:
 *   the endpoint is often Phoenix, which takes traces only.
 * - `OTEL_EXPORTER_OTLP_METRICS_PROTOCOL` / `OTEL_EXPORTER_OTLP_PROTOCOL`: `http/protobuf`
 *   (default), `http/json` or `grpc`.
 * - `OTEL_METRIC_EXPORT_INTERVAL` (ms, default 60000) and `OTEL_METRIC_EXPORT_TIMEOUT`
 *   (ms, default 30000, at most the interval).
 * - The endpoint (`OTEL_EXPORTER_OTLP_METRICS_ENDPOINT`, else `OTEL_EXPORTER_OTLP_ENDPOINT`
 *   + `/v1/metrics`) is read by the exporter itself; it is kept here for the start log.
 */
import type { OtlpProtocol } from '../tracing/tracing-settings.js';

export type MetricsExporterName = 'otlp' | 'console';

export interface MetricsExportSettings {
  readonly enabled: boolean;
  readonly exporters: readonly MetricsExporterName[];
  readonly protocol: OtlpProtocol;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** For the start log (undefined: the exporter's default, http://localhost:4318/v1/metrics). */
  readonly endpoint?: string;
}

/** A metrics export variable that cannot be used; the message names it. */
export class MetricsExportSettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MetricsExportSettingsError';
  }
}

const PROTOCOLS: readonly OtlpProtocol[] = ['http/protobuf', 'http/json', 'grpc'];
export const DEFAULT_EXPORT_INTERVAL_MS = 60_000;
export const DEFAULT_EXPORT_TIMEOUT_MS = 30_000;

export function metricsExportSettingsFrom(env: NodeJS.ProcessEnv): MetricsExportSettings {
  const protocolVariable = env['OTEL_EXPORTER_OTLP_METRICS_PROTOCOL']?.trim()
    ? 'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL'
    : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const protocol = (env[protocolVariable]?.trim() || 'http/protobuf') as OtlpProtocol;
  const intervalMs = positiveMs(env, 'OTEL_METRIC_EXPORT_INTERVAL', DEFAULT_EXPORT_INTERVAL_MS);
  const timeoutMs = Math.min(
    positiveMs(env, 'OTEL_METRIC_EXPORT_TIMEOUT', DEFAULT_EXPORT_TIMEOUT_MS),
    intervalMs,
  );
  const endpoint =
    env['OTEL_EXPORTER_OTLP_METRICS_ENDPOINT']?.trim() ||
    (env['OTEL_EXPORTER_OTLP_ENDPOINT']?.trim()
      ? `${env['OTEL_EXPORTER_OTLP_ENDPOINT'].trim().replace(/\/$/, '')}/v1/metrics`
      : undefined);
  const off: MetricsExportSettings = { enabled: false, exporters: [], protocol, intervalMs, timeoutMs };

  const names = (env['OTEL_METRICS_EXPORTER'] ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  for (const name of names) {
    if (!['otlp', 'console', 'none', 'prometheus'].includes(name)) {
      throw new MetricsExportSettingsError(
        `OTEL_METRICS_EXPORTER="${name}" is not supported; use otlp, console, prometheus or none`,
      );
    }
  }
  if (names.includes('none') && names.length > 1) {
    throw new MetricsExportSettingsError(
      `OTEL_METRICS_EXPORTER="${env['OTEL_METRICS_EXPORTER']}" mixes none with exporters`,
    );
  }
  const exporters = [
    ...new Set(names.filter((n) => n === 'otlp' || n === 'console')),
  ] as MetricsExporterName[];
  if (exporters.length === 0 || env['OTEL_SDK_DISABLED']?.trim().toLowerCase() === 'true') return off;
  // The protocol matters only to the OTLP exporter; a bad one is still an error then.
  if (exporters.includes('otlp') && !PROTOCOLS.includes(protocol)) {
    throw new MetricsExportSettingsError(
      `${protocolVariable}="${protocol}" must be one of ${PROTOCOLS.join(', ')}`,
    );
  }
  return {
    enabled: true,
    exporters,
    protocol,
    intervalMs,
    timeoutMs,
    ...(exporters.includes('otlp') && endpoint ? { endpoint } : {}),
  };
}

function positiveMs(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) === 0) {
    throw new MetricsExportSettingsError(`${name}="${raw}" must be a whole number of milliseconds above 0`);
  }
  return Number(raw);
}
