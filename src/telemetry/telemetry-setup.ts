/**
 * Telemetry as configured by the environment, resolved once at start: the OpenInference
 * trace config (`OPENINFERENCE_*`), the header mappings (`OTEL_AIGW_*`), tracing
 * (`OTEL_*`) and the OTLP push of metrics (`OTEL_METRICS_EXPORTER`, `OTEL_METRIC_EXPORT_*`). Every variable is checked before anything starts, so a bad value stops the
 * gateway with one line naming it instead of silently tracing more, or less, than asked.
 */
import { GenAiMetrics, RESERVED_LABELS } from './genai-metrics.js';
import { HeaderMappingError, type HeaderMappings, headerMappingsFrom } from './header-mapping.js';
import type { Logger } from './logger.js';
import type { MetricsExport } from './metrics-export/start-metrics-export.js';
import {
  type MetricsExportSettings,
  MetricsExportSettingsError,
  metricsExportSettingsFrom,
} from './metrics-export/metrics-export-settings.js';
import { combineMcpTelemetry, type McpTelemetry } from './mcp-telemetry.js';
import type { GatewayMetrics } from './metrics.js';
import { ObservedTelemetry } from './observed-telemetry.js';
import { Redactor } from './openinference/redaction.js';
import { type TraceConfig, traceConfigFrom } from './openinference/trace-config.js';
import type { Telemetry } from './request-telemetry.js';
import { McpSpans } from './tracing/mcp-spans.js';
import { RequestSpans } from './tracing/request-span.js';
import { startTracing, type Tracing } from './tracing/start-tracing.js';
import {
  type TracingSettings,
  TracingSettingsError,
  tracingSettingsFrom,
} from './tracing/tracing-settings.js';

/** A telemetry variable that cannot be used; the message names it and says why. */
export class TelemetryConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TelemetryConfigError';
  }
}

export interface TelemetrySettings {
  readonly tracing: TracingSettings;
  readonly traceConfig: TraceConfig;
  readonly headers: HeaderMappings;
  readonly metricsExport: MetricsExportSettings;
}

/** Reads and checks every telemetry variable; throws `TelemetryConfigError`. Starts nothing. */
export function telemetrySettingsFrom(env: NodeJS.ProcessEnv): TelemetrySettings {
  try {
    const tracing = tracingSettingsFrom(env);
    const { config, problems } = traceConfigFrom(env);
    if (problems.length) throw new TelemetryConfigError(problems.join('; '));
    const headers = headerMappingsFrom(env, RESERVED_LABELS);
    const metricsExport = metricsExportSettingsFrom(env);
    return { tracing, traceConfig: config, headers, metricsExport };
  } catch (err) {
    if (
      err instanceof TracingSettingsError ||
      err instanceof HeaderMappingError ||
      err instanceof MetricsExportSettingsError
    ) {
      throw new TelemetryConfigError(err.message);
    }
    throw err;
  }
}

export interface TelemetrySetup {
  readonly settings: TelemetrySettings;
  /** For `Gateway.start({ telemetry })`: wraps the core telemetry with metrics and spans. */
  readonly wrap: (base: Telemetry, metrics: GatewayMetrics) => Telemetry;
  /** For `Gateway.start({ mcpTelemetry })`: adds MCP call spans; undefined when tracing is off. */
  readonly wrapMcp?: (base: McpTelemetry) => McpTelemetry;
  /** Flushes queued spans and the last metrics, then stops (a no-op when both are off). */
  shutdown(): Promise<void>;
}

/** Starts tracing when the settings ask for it and prepares the per-gateway telemetry. */
export async function setUpTelemetry(
  settings: TelemetrySettings,
  env: NodeJS.ProcessEnv,
  logger: Logger,
): Promise<TelemetrySetup> {
  let tracing: Tracing | undefined;
  if (settings.tracing.enabled) tracing = await startTracing(env, settings.traceConfig, logger);
  let metricsExport: MetricsExport | undefined;
  if (settings.metricsExport.enabled) {
    const { prepareMetricsExport } = await import('./metrics-export/start-metrics-export.js');
    metricsExport = await prepareMetricsExport(settings.metricsExport, env, logger);
  }
  const redactor = new Redactor(settings.traceConfig);
  const spans = tracing
    ? new RequestSpans(tracing.tracer, redactor, settings.headers.spans, tracing.attachCountLimit)
    : undefined;
  const mcpSpans = tracing ? new McpSpans(tracing.tracer, redactor) : undefined;
  return {
    settings,
    wrap: (base, metrics) => {
      metricsExport?.attach(metrics.registry);
      return new ObservedTelemetry(base, {
        metrics,
        genAi: new GenAiMetrics(
          metrics.registry,
          settings.headers.metrics.map((e) => e.attribute),
        ),
        metricsHeaders: settings.headers.metrics,
        ...(spans ? { spans } : {}),
        logger,
      });
    },
    ...(mcpSpans ? { wrapMcp: (base: McpTelemetry) => combineMcpTelemetry(logger, base, mcpSpans) } : {}),
    shutdown: async () => {
      await Promise.all([tracing?.shutdown(), metricsExport?.shutdown()]);
    },
  };
}
