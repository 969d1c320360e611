/**
 * Sends encoded span batches (`EncodingSpanProcessor`) with the OpenTelemetry SDK's own
 * OTLP HTTP transport: endpoint, headers, timeout, compression, retries and the
 * `OTEL_EXPORTER_OTLP_*` variables are handled by the same `@opentelemetry/otlp-exporter-base`
 * function the SDK's `OTLPTraceExporter` is built on; only the serialisation step is ours
 * (the bytes are already encoded).
 */
import { OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
import {
  convertLegacyHttpOptions,
  createOtlpHttpExportDelegate,
} from '@opentelemetry/otlp-exporter-base/node-http';
import {
  type IExportTraceServiceResponse,
  type ISerializer,
  ProtobufTraceSerializer,
} from '@opentelemetry/otlp-transformer';
import type { BatchExporter, EncodedBatch } from './encoding-span-processor.js';

/** The component type the SDK's own http exporter reports in its self-observability metrics. */
const COMPONENT_TYPE = 'otlp_http_span_exporter';

export function otlpProtoBatchExporter(): BatchExporter {
  const serializer: ISerializer<EncodedBatch, IExportTraceServiceResponse> = {
    serializeRequest: (batch) => batch.bytes,
    deserializeResponse: (data) => ProtobufTraceSerializer.deserializeResponse(data),
  };
  const exporter = new OTLPExporterBase<EncodedBatch>(
    createOtlpHttpExportDelegate(
      convertLegacyHttpOptions({}, 'TRACES', 'v1/traces', { 'Content-Type': 'application/x-protobuf' }),
      serializer,
      COMPONENT_TYPE,
      { name: 'span', countItems: (batch) => batch.count },
      undefined,
    ),
  );
  return {
    export: (batch, done) => exporter.export(batch, done),
    forceFlush: () => exporter.forceFlush(),
    shutdown: () => exporter.shutdown(),
  };
}
