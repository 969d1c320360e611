/**
 * Starts the OpenTelemetry SDK (`@opentelemetry/sdk-node`) for traces only, configured by
 * the standard variables it reads itself: exporter and protocol, endpoints, headers,
 * `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES` (a Phoenix project is chosen with
 * `openinference.project.name=NAME`), `OTEL_BSP_*`, `OTEL_TRACES_SAMPLER`, `OTEL_PROPAGATORS`.
 *
 * The SDK is imported here, lazily, so that a gateway without tracing never loads it.
 * The SDK's own metric and log pipelines are never started: metrics are prom-client's
 * (pushed over OTLP by `metrics-export/` when asked) and logs are pino's.
 */
import { type Tracer, trace } from '@opentelemetry/api';
import type { Logger } from '../logger.js';
import { installOtelDiagnostics } from '../otel-diag.js';
import { capturesMessages, type TraceConfig } from '../openinference/trace-config.js';

export interface Tracing {
  readonly tracer: Tracer;
  /** Exports every span still queued, then stops. */
  shutdown(): Promise<void>;
}

export const DEFAULT_SERVICE_NAME = 'switchyard';

export async function startTracing(
  env: NodeJS.ProcessEnv,
  traceConfig: TraceConfig,
  logger: Logger,
): Promise<Tracing> {
  installOtelDiagnostics(env, logger);
  const [{ NodeSDK }, { defaultResource, envDetector, hostDetector, resourceFromAttributes }] =
    await Promise.all([import('@opentelemetry/sdk-node'), import('@opentelemetry/resources')]);
  const sdk = new NodeSDK({
    // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (read by envDetector) override this default.
    resource: defaultResource().merge(resourceFromAttributes({ 'service.name': DEFAULT_SERVICE_NAME })),
    resourceDetectors: [envDetector, hostDetector],
    // Spans are parented explicitly, so no context manager is needed; registering the
    // AsyncLocalStorage one would add async-hook work to every request.
    contextManager: null as unknown as undefined,
    instrumentations: [],
    metricReaders: [],
    logRecordProcessors: [],
    spanLimits: spanLimitsFor(env, traceConfig),
  });
  sdk.start();
  return {
    tracer: trace.getTracer('switchyard'),
    shutdown: () => sdk.shutdown(),
  };
}

/**
 * Message attributes grow with the conversation and pass OpenTelemetry's default cap of
 * 128 attributes per span; like Envoy AI Gateway, lift the cap when messages are recorded,
 * unless the operator set one.
 */
function spanLimitsFor(env: NodeJS.ProcessEnv, config: TraceConfig): { attributeCountLimit?: number } {
  const operatorSet = env['OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT'] ?? env['OTEL_ATTRIBUTE_COUNT_LIMIT'];
  return operatorSet === undefined && capturesMessages(config) ? { attributeCountLimit: 100_000 } : {};
}
