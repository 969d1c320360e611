/**
 * MCP calls as spans: one span per call the gateway makes to an upstream MCP server (kind
 * CLIENT), continuing the trace context the client put in `params._meta` and passing its
 * own to the server through `upstreamMeta()`. Plugs in beside the core MCP telemetry
 * (`combineMcpTelemetry`). Shared by all sessions.
 */
import { performance } from 'node:perf_hooks';
import { propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import { mcpCallFailed, mcpSpanAttributes, mcpSpanName } from '../mcp-span-attributes.js';
import type { McpCallEnd, McpCallRecord, McpCallStart, McpTelemetry } from '../mcp-telemetry.js';
import type { Redactor } from '../openinference/redaction.js';

/** Trace context from `_meta`: only string entries are headers a propagator can read. */
function metaCarrier(meta: Readonly<Record<string, unknown>> | undefined): Record<string, string> {
  const carrier: Record<string, string> = {};
  for (const [key, value] of Object.entries(meta ?? {})) if (typeof value === 'string') carrier[key] = value;
  return carrier;
}

export class McpSpans implements McpTelemetry {
  constructor(
    private readonly tracer: Tracer,
    private readonly redactor: Redactor,
  ) {}

  call(start: McpCallStart): McpCallRecord {
    const parent = propagation.extract(ROOT_CONTEXT, metaCarrier(start.meta));
    const span = this.tracer.startSpan(
      mcpSpanName(start.method),
      { kind: SpanKind.CLIENT, startTime: performance.timeOrigin + start.startedAt },
      parent,
    );
    const context = trace.setSpan(parent, span);
    return {
      upstreamMeta: () => {
        const meta: Record<string, string> = {};
        propagation.inject(context, meta);
        return meta;
      },
      end: (end: McpCallEnd) => {
        const sink = this.redactor.sink();
        mcpSpanAttributes(sink, start, end);
        span.setAttributes(sink.attributes);
        if (mcpCallFailed(end)) {
          const event = this.redactor.sink();
          event.set('exception.type', end.outcome);
          event.set('exception.message', end.reason ?? end.outcome);
          span.addEvent('exception', event.attributes);
          span.setStatus({
            code: SpanStatusCode.ERROR,
            message: `${end.outcome}: ${end.reason ?? ''}`.trim(),
          });
        } else {
          span.setStatus({ code: SpanStatusCode.OK });
        }
        span.end();
      },
    };
  }

  session(): void {
    // Sessions are counted by the core MCP telemetry; they have no span of their own.
  }
}
