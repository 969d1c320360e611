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
import { tracingSettingsFrom } from './tracing-settings.js';

export interface Tracing {
  readonly tracer: Tracer;
  /**
   * Set when spans may attach their attributes for the encoder to write
   * (attached-attributes.ts): the attribute count limit to keep. Unset when another
   * processor or exporter reads spans, or an attribute value length limit is configured.
   */
  readonly attachCountLimit?: number;
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
  // The usual case, one OTLP http/protobuf exporter, gets spans encoded as they end
  // (encoding-span-processor.ts); other exporters and protocols are built by the SDK from
  // the environment as usual.
  const settings = tracingSettingsFrom(env);
  const encodeAtEnd =
    settings.exporters.length === 1 &&
    settings.exporters[0] === 'otlp' &&
    settings.protocol === 'http/protobuf';
  const spanProcessors = encodeAtEnd ? [await encodingProcessor(env)] : undefined;
  const spanLimits = spanLimitsFor(env, traceConfig);
  const attachCountLimit = encodeAtEnd ? attachableCountLimit(env, spanLimits) : undefined;
  const sdk = new NodeSDK({
    ...(spanProcessors ? { spanProcessors } : {}),
    // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (read by envDetector) override this default.
    resource: defaultResource().merge(resourceFromAttributes({ 'service.name': DEFAULT_SERVICE_NAME })),
    resourceDetectors: [envDetector, hostDetector],
    // Spans are parented explicitly, so no context manager is needed; registering the
    // AsyncLocalStorage one would add async-hook work to every request.
    contextManager: null as unknown as undefined,
    instrumentations: [],
    metricReaders: [],
    logRecordProcessors: [],
    spanLimits,
  });
  sdk.start();
  return {
    tracer: trace.getTracer('switchyard'),
    ...(attachCountLimit !== undefined ? { attachCountLimit } : {}),
    shutdown: () => sdk.shutdown(),
  };
}

/** Loaded with the SDK, only when tracing is on. */
async function encodingProcessor(env: NodeJS.ProcessEnv) {
  const [{ batchSettingsFromEnv, EncodingSpanProcessor }, { otlpProtoBatchExporter }] = await Promise.all([
    import('./encoding-span-processor.js'),
    import('./otlp-proto-exporter.js'),
  ]);
  return new EncodingSpanProcessor(otlpProtoBatchExporter(), batchSettingsFromEnv(env));
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

/** The SDK's default `attributeCountLimit`. */
const SDK_ATTRIBUTE_COUNT_LIMIT = 128;

/**
 * The attribute count limit the SDK applies, when it can be known without re-reading the
 * SDK's variables: the one set here, or the SDK default when no limit variable is set.
 * Undefined (attach nothing) when the operator set any attribute limit variable.
 */
function attachableCountLimit(
  env: NodeJS.ProcessEnv,
  limits: { attributeCountLimit?: number },
): number | undefined {
  const lengthLimit = ['OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT', 'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT'];
  if (lengthLimit.some((name) => env[name]?.trim())) return undefined;
  if (limits.attributeCountLimit !== undefined) return limits.attributeCountLimit;
  const countLimit = ['OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT', 'OTEL_ATTRIBUTE_COUNT_LIMIT'];
  return countLimit.some((name) => env[name]?.trim()) ? undefined : SDK_ATTRIBUTE_COUNT_LIMIT;
}
