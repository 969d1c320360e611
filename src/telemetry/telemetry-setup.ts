/**
 * Telemetry as configured by the environment, resolved once at start: the OpenInference
 * trace config (`OPENINFERENCE_*`), the header mappings (`OTEL_AIGW_*`) and tracing
 * (`OTEL_*`). Every variable is checked before anything starts, so a bad value stops the
 * gateway with one line naming it instead of silently tracing more, or less, than asked.
 */
import { GenAiMetrics, RESERVED_LABELS } from './genai-metrics.js';
import { HeaderMappingError, type HeaderMappings, headerMappingsFrom } from './header-mapping.js';
import type { Logger } from './logger.js';
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
}

/** Reads and checks every telemetry variable; throws `TelemetryConfigError`. Starts nothing. */
export function telemetrySettingsFrom(env: NodeJS.ProcessEnv): TelemetrySettings {
  try {
    const tracing = tracingSettingsFrom(env);
    const { config, problems } = traceConfigFrom(env);
    if (problems.length) throw new TelemetryConfigError(problems.join('; '));
    const headers = headerMappingsFrom(env, RESERVED_LABELS);
    return { tracing, traceConfig: config, headers };
  } catch (err) {
    if (err instanceof TracingSettingsError || err instanceof HeaderMappingError) {
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
  /** Flushes queued spans and stops tracing (a no-op when tracing is off). */
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
  const redactor = new Redactor(settings.traceConfig);
  const spans = tracing
    ? new RequestSpans(tracing.tracer, redactor, settings.headers.spans, tracing.attachCountLimit)
    : undefined;
  const mcpSpans = tracing ? new McpSpans(tracing.tracer, redactor) : undefined;
  return {
    settings,
    wrap: (base, metrics) =>
      new ObservedTelemetry(base, {
        metrics,
        genAi: new GenAiMetrics(
          metrics.registry,
          settings.headers.metrics.map((e) => e.attribute),
        ),
        metricsHeaders: settings.headers.metrics,
        ...(spans ? { spans } : {}),
        logger,
      }),
    ...(mcpSpans ? { wrapMcp: (base: McpTelemetry) => combineMcpTelemetry(logger, base, mcpSpans) } : {}),
    shutdown: async () => {
      await tracing?.shutdown();
    },
  };
}
