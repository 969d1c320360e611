/**
 * Pushes the gateway's Prometheus series over OTLP (or to the console) at
 * `OTEL_METRIC_EXPORT_INTERVAL`, with OpenTelemetry's metrics SDK: one periodic reader per
 * exporter, fed by `PromClientProducer`, under the same resource as the spans
 * (`service.name` switchyard unless `OTEL_SERVICE_NAME`/`OTEL_RESOURCE_ATTRIBUTES` say
 * otherwise). The SDK is imported here, lazily: a gateway that does not push never loads it.
 */
import type { HrTime } from '@opentelemetry/api';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { Registry } from 'prom-client';
import type { Logger } from '../logger.js';
import { installOtelDiagnostics } from '../otel-diag.js';
import { DEFAULT_SERVICE_NAME } from '../tracing/start-tracing.js';
import type { MetricsExportSettings } from './metrics-export-settings.js';
import { hrTimeOf, PromClientProducer } from './prom-client-producer.js';

export interface MetricsExport {
  /** Starts pushing `registry`'s series. Call once, when the gateway's registry exists. */
  attach(registry: Registry): void;
  /** Pushes the last values, then stops (a no-op before `attach`). */
  shutdown(): Promise<void>;
}

export async function prepareMetricsExport(
  settings: MetricsExportSettings,
  env: NodeJS.ProcessEnv,
  logger: Logger,
): Promise<MetricsExport> {
  installOtelDiagnostics(env, logger);
  const [sdk, resources] = await Promise.all([
    import('@opentelemetry/sdk-metrics'),
    import('@opentelemetry/resources'),
  ]);
  const exporters: PushMetricExporter[] = [];
  for (const name of settings.exporters) {
    exporters.push(name === 'console' ? new sdk.ConsoleMetricExporter() : await otlpExporter(settings));
  }
  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (read by envDetector) override the default.
  const resource = resources
    .defaultResource()
    .merge(resources.resourceFromAttributes({ 'service.name': DEFAULT_SERVICE_NAME }))
    .merge(resources.detectResources({ detectors: [resources.envDetector, resources.hostDetector] }));
  const startTime: HrTime = hrTimeOf(Date.now());
  let provider: InstanceType<typeof sdk.MeterProvider> | undefined;
  return {
    attach(registry) {
      if (provider) throw new Error('metrics export already attached');
      const producer = new PromClientProducer(registry, startTime);
      provider = new sdk.MeterProvider({
        resource,
        readers: exporters.map(
          (exporter) =>
            new sdk.PeriodicExportingMetricReader({
              exporter,
              exportIntervalMillis: settings.intervalMs,
              exportTimeoutMillis: settings.timeoutMs,
              metricProducers: [producer],
            }),
        ),
      });
      logger.info(
        {
          exporters: settings.exporters,
          protocol: settings.protocol,
          endpoint: settings.endpoint,
          intervalMs: settings.intervalMs,
        },
        'exporting metrics',
      );
    },
    async shutdown() {
      await provider?.shutdown();
    },
  };
}

/** The OTLP exporter for the protocol; it reads the endpoint, headers and timeout from env. */
async function otlpExporter(settings: MetricsExportSettings): Promise<PushMetricExporter> {
  switch (settings.protocol) {
    case 'grpc':
      return new (await import('@opentelemetry/exporter-metrics-otlp-grpc')).OTLPMetricExporter();
    case 'http/json':
      return new (await import('@opentelemetry/exporter-metrics-otlp-http')).OTLPMetricExporter();
    default:
      return new (await import('@opentelemetry/exporter-metrics-otlp-proto')).OTLPMetricExporter();
  }
}
