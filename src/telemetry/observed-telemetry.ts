/**
 * Telemetry that watches the response: it wraps the always-on core (access log, routing
 * counters) and adds, per request, one `ResponseCollector` whose facts feed both the GenAI
 * metrics and (when tracing is on) the request's span. The response is parsed once for
 * both, so token counts in spans and metrics come from the same value.
 *
 * Per request; every hook is cheap and guarded: telemetry can never break a response.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { InferenceRequest } from '../api/inference-request.js';
import type { ResponseObserver } from '../proxy/observer.js';
import type { RelayResult } from '../proxy/relay.js';
import type { RoutingDecision } from '../routing/decision.js';
import { describeFailure } from './failure.js';
import { type GenAiLabels, type GenAiMetrics, OPERATION_NAMES, providerName } from './genai-metrics.js';
import { type HeaderMapping, mappedValues } from './header-mapping.js';
import type { Logger } from './logger.js';
import type { GatewayMetrics } from './metrics.js';
import type {
  PrefillResult,
  RequestOutcome,
  RequestStart,
  RequestTelemetry,
  Telemetry,
  UpstreamTarget,
} from './request-telemetry.js';
import { DEFAULT_MAX_BODY_BYTES, ResponseCollector } from './response/response-collector.js';
import type { RequestSpan, RequestSpans } from './tracing/request-span.js';

export interface ObservedTelemetryOptions {
  readonly metrics: GatewayMetrics;
  readonly genAi: GenAiMetrics;
  /** Request headers copied into metric labels (attribute = label name). */
  readonly metricsHeaders: HeaderMapping;
  /** Request spans; undefined when tracing is off. */
  readonly spans?: RequestSpans;
  readonly logger: Logger;
  readonly maxBodyBytes?: number;
}

export class ObservedTelemetry implements Telemetry {
  constructor(
    private readonly base: Telemetry,
    private readonly options: ObservedTelemetryOptions,
  ) {}

  begin(start: RequestStart): RequestTelemetry {
    return new ObservedRequest(this.base.begin(start), start, this.options);
  }
}

const now = () => performance.now();

class ObservedRequest implements RequestTelemetry, ResponseObserver {
  private readonly span: RequestSpan | undefined;
  private readonly collector: ResponseCollector;
  private request: InferenceRequest | undefined;
  private decision: RoutingDecision | undefined;
  private upstream: UpstreamTarget | undefined;
  private prefill: PrefillResult | undefined;
  private firstRoutedAt: number | undefined;
  private attempts = 0;
  readonly response: ResponseObserver = this;

  constructor(
    private readonly base: RequestTelemetry,
    private readonly start: RequestStart,
    private readonly options: ObservedTelemetryOptions,
  ) {
    this.span = options.spans?.start(start);
    this.collector = new ResponseCollector({
      operation: start.operation,
      keepContent: this.span !== undefined,
      maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      onFirstToken: (at) => this.span?.firstToken(at),
      now,
    });
  }

  parsed(request: InferenceRequest): void {
    this.request = request;
    this.base.parsed(request);
  }

  routed(decision: RoutingDecision, upstream: UpstreamTarget): void {
    this.firstRoutedAt ??= now();
    this.attempts++;
    this.decision = decision;
    this.upstream = upstream;
    this.base.routed(decision, upstream);
  }

  prefilled(result: PrefillResult): void {
    this.prefill = result;
    this.span?.prefill(result);
    this.base.prefilled(result);
  }

  upstreamHeaders(): Readonly<Record<string, string>> {
    const base = this.base.upstreamHeaders();
    return this.span ? { ...base, ...this.span.upstreamHeaders() } : base;
  }

  onResponse(status: number, headers: IncomingHttpHeaders): void {
    this.collector.onResponse(status, headers);
    this.base.response.onResponse(status, headers);
  }

  onChunk(chunk: Buffer): void {
    this.collector.onChunk(chunk);
    this.base.response.onChunk(chunk);
  }

  onEnd(result: RelayResult): void {
    this.collector.onEnd(result);
    this.base.response.onEnd(result);
  }

  end(outcome: RequestOutcome): void {
    const endedAt = now();
    try {
      this.record(outcome, endedAt);
    } catch (err) {
      this.options.logger.warn({ err, requestId: this.start.requestId }, 'recording telemetry failed');
    }
    this.base.end(outcome);
  }

  private record(outcome: RequestOutcome, endedAt: number): void {
    const { start } = this;
    const facts = this.collector.facts();
    const failure = describeFailure(outcome, facts);
    const { genAi, metrics } = this.options;
    const series = genAi.seriesFor(this.labels(facts?.model));
    const seconds = (endedAt - start.startedAt) / 1000;

    if (!outcome.clientAborted) series.recordRequest(seconds, failure?.errorType);
    if (facts?.usage && facts.status < 400) series.recordTokens(facts.usage, start.operation);
    if (facts?.firstTokenAt !== undefined && !failure) {
      series.recordTokenTiming((facts.firstTokenAt - start.startedAt) / 1000, seconds, facts.usage?.output);
    }
    metrics.gatewayOverhead.child([start.operation]).observe(this.overheadSeconds(endedAt, facts?.endedAt));

    if (!this.span) return;
    this.span.end(
      {
        operation: start.operation,
        requestId: start.requestId,
        ...(this.request ? { request: this.request } : {}),
        ...(facts ? { response: facts } : {}),
        ...(this.decision ? { decision: this.decision } : {}),
        ...(this.upstream ? { upstream: this.upstream } : {}),
        attempts: this.attempts,
        ...(this.prefill ? { prefill: this.prefill } : {}),
        headerAttributes: this.span.headerAttributes,
        outcome,
      },
      endedAt,
    );
  }

  private labels(responseModel: string | undefined): GenAiLabels {
    const original = this.request?.model ?? 'unknown';
    return {
      gen_ai_operation_name: OPERATION_NAMES[this.start.operation],
      gen_ai_provider_name: providerName(this.upstream?.provider),
      gen_ai_original_model: original,
      gen_ai_request_model: this.upstream?.model ?? original,
      gen_ai_response_model: responseModel ?? 'unknown',
      ...mappedValues(this.options.metricsHeaders, this.start.headers),
    };
  }

  /**
   * Time in the gateway: from arrival until the (first) upstream call, plus from the end
   * of the upstream body until now. A request never routed spent all its time here.
   */
  private overheadSeconds(endedAt: number, upstreamEndedAt: number | undefined): number {
    if (this.firstRoutedAt === undefined) return (endedAt - this.start.startedAt) / 1000;
    const before = this.firstRoutedAt - this.start.startedAt;
    const after = upstreamEndedAt === undefined ? 0 : endedAt - upstreamEndedAt;
    return (before + after) / 1000;
  }
}
