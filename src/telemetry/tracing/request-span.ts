/**
 * One request's span: started when the request arrives (continuing the client's
 * `traceparent`), propagated to the upstream, given a first-token event the moment the
 * first token passes, and completed once at the end with attributes built from the whole
 * record and passed through the redaction boundary.
 */
import { performance } from 'node:perf_hooks';
import {
  type Context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { describeFailure } from '../failure.js';
import { type HeaderMapping, mappedValues } from '../header-mapping.js';
import { FIRST_TOKEN_EVENT } from '../openinference/keys.js';
import type { Redactor } from '../openinference/redaction.js';
import type { PrefillResult, RequestStart } from '../request-telemetry.js';
import { ROUTING_ATTRIBUTES } from '../routing-attributes.js';
import { SPAN_NAMES, type SpanRecord, spanAttributes } from '../span-attributes.js';
import { attachAttributes } from './attached-attributes.js';

/** `performance.now()` to epoch milliseconds, the time OpenTelemetry records. */
function epochMs(at: number): number {
  return performance.timeOrigin + at;
}

/**
 * Namespaces of the attributes the span builders write. A header mapped to a name in one
 * of them could set a key twice, which attached attributes must not do.
 */
const BUILT_NAMESPACES = [
  'llm.',
  'input.',
  'output.',
  'embedding.',
  'openinference.',
  'switchyard.',
  'http.',
];

/** Starts request spans; shared by all requests. */
export class RequestSpans {
  private readonly attachCountLimit: number | undefined;

  /**
   * @param attachCountLimit set when the span's attributes may be attached for its encoder
   *   (`Tracing.attachCountLimit`); they are set on the span otherwise.
   */
  constructor(
    private readonly tracer: Tracer,
    private readonly redactor: Redactor,
    private readonly headers: HeaderMapping,
    attachCountLimit?: number,
  ) {
    const clash = headers.some((h) => BUILT_NAMESPACES.some((ns) => h.attribute.startsWith(ns)));
    this.attachCountLimit = clash ? undefined : attachCountLimit;
  }

  start(start: RequestStart): RequestSpan {
    const parent = propagation.extract(ROOT_CONTEXT, start.headers);
    const span = this.tracer.startSpan(
      SPAN_NAMES[start.operation],
      { kind: SpanKind.INTERNAL, startTime: epochMs(start.startedAt) },
      parent,
    );
    return new RequestSpan(
      this.tracer,
      this.redactor,
      span,
      trace.setSpan(parent, span),
      { ...mappedValues(this.headers, start.headers) },
      this.attachCountLimit,
    );
  }
}

export class RequestSpan {
  private injected: Record<string, string> | undefined;

  constructor(
    private readonly tracer: Tracer,
    private readonly redactor: Redactor,
    private readonly span: Span,
    private readonly context: Context,
    /** Span attributes from mapped request headers, read when the request arrived. */
    readonly headerAttributes: Readonly<Record<string, string>>,
    private readonly attachCountLimit: number | undefined,
  ) {}

  /** `traceparent` (and `tracestate`) naming this span, for the upstream request. */
  upstreamHeaders(): Record<string, string> {
    if (!this.injected) {
      this.injected = {};
      propagation.inject(this.context, this.injected);
    }
    return this.injected;
  }

  firstToken(at: number): void {
    this.span.addEvent(FIRST_TOKEN_EVENT, epochMs(at));
  }

  /** A child span for the prefill call of a prefill/decode request. */
  prefill(result: PrefillResult): void {
    const child = this.tracer.startSpan(
      'Prefill',
      {
        kind: SpanKind.CLIENT,
        startTime: epochMs(result.startedAt),
        attributes: {
          [ROUTING_ATTRIBUTES.PREFILL_ENDPOINT]: result.endpoint,
          'http.response.status_code': result.status,
        },
      },
      this.context,
    );
    if (result.status === 0 || result.status >= 400) child.setStatus({ code: SpanStatusCode.ERROR });
    child.end(epochMs(result.startedAt + result.durationMs));
  }

  end(record: SpanRecord, at: number): void {
    const { span, redactor } = this;
    let failure;
    if (this.attachCountLimit !== undefined) {
      // Written by the encoder during span.end() below, while `record` is still current.
      attachAttributes(span, {
        write: (to) => spanAttributes(redactor.forwardingSink(to), record),
        countLimit: this.attachCountLimit,
      });
      failure = describeFailure(record.outcome, record.response);
    } else {
      failure = spanAttributes(
        redactor.forwardingSink((key, value) => span.setAttribute(key, value)),
        record,
      );
    }
    if (failure) {
      const event = this.redactor.sink();
      event.set('exception.type', failure.exceptionType);
      event.set('exception.message', failure.message);
      this.span.addEvent('exception', event.attributes, epochMs(at));
      this.span.setStatus({
        code: SpanStatusCode.ERROR,
        message: `${failure.exceptionType}: ${String(event.attributes['exception.message'])}`,
      });
    } else if (!record.outcome.clientAborted) {
      this.span.setStatus({ code: SpanStatusCode.OK });
    }
    this.span.end(epochMs(at));
  }
}
