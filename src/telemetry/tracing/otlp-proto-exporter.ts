/**
 * The OTLP http/protobuf span exporter of the OpenTelemetry SDK with one part replaced:
 * spans are encoded by `OtlpTraceEncoder` (same bytes, a fraction of the time). Endpoint,
 * headers, timeout, compression, retries and the `OTEL_EXPORTER_OTLP_*` variables are the
 * SDK's own: the transport is built by the same `@opentelemetry/otlp-exporter-base`
 * function its `OTLPTraceExporter` uses.
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
  TraceExporterMetricsHelper,
} from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { OtlpTraceEncoder } from './otlp-trace-encoder.js';

/** The component type the SDK's own http exporter reports in its self-observability metrics. */
const COMPONENT_TYPE = 'otlp_http_span_exporter';

export class OtlpProtoTraceExporter extends OTLPExporterBase<ReadableSpan[]> implements SpanExporter {
  constructor() {
    const encoder = new OtlpTraceEncoder();
    const serializer: ISerializer<ReadableSpan[], IExportTraceServiceResponse> = {
      serializeRequest: (spans) => encoder.encode(spans),
      deserializeResponse: (data) => ProtobufTraceSerializer.deserializeResponse(data),
    };
    super(
      createOtlpHttpExportDelegate(
        convertLegacyHttpOptions({}, 'TRACES', 'v1/traces', { 'Content-Type': 'application/x-protobuf' }),
        serializer,
        COMPONENT_TYPE,
        TraceExporterMetricsHelper,
        undefined,
      ),
    );
  }
}
