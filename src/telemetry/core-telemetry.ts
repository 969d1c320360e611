/**
 * The always-on part of telemetry: one access-log line per request and the routing
 * metrics. Tracing plugs in beside it through the same `Telemetry` interface.
 */
import { performance } from 'node:perf_hooks';
import type { InferenceRequest } from '../api/inference-request.js';
import { NO_OBSERVER } from '../proxy/observer.js';
import type { RoutingDecision } from '../routing/decision.js';
import type { Logger } from './logger.js';
import type { GatewayMetrics } from './metrics.js';
import type { RequestOutcome, RequestStart, RequestTelemetry, Telemetry } from './request-telemetry.js';

export class CoreTelemetry implements Telemetry {
  constructor(
    private readonly logger: Logger,
    private readonly metrics: GatewayMetrics,
  ) {}

  begin(start: RequestStart): RequestTelemetry {
    return new CoreRequestTelemetry(start, this.logger, this.metrics);
  }
}

class CoreRequestTelemetry implements RequestTelemetry {
  private model: string | undefined;
  private decision: RoutingDecision | undefined;
  readonly response = NO_OBSERVER;

  constructor(
    private readonly start: RequestStart,
    private readonly logger: Logger,
    private readonly metrics: GatewayMetrics,
  ) {}

  parsed(request: InferenceRequest): void {
    this.model = request.model;
  }

  routed(decision: RoutingDecision): void {
    this.decision = decision;
    const model = this.model ?? '';
    this.metrics.routingDecisions.inc({ algorithm: decision.algorithm, model, endpoint: decision.endpoint });
    if (decision.matchRatio !== undefined) {
      this.metrics.prefixMatchRatio.observe({ algorithm: decision.algorithm, model }, decision.matchRatio);
    }
    if (decision.fallbackReason) {
      this.metrics.routingFallbacks.inc({
        algorithm: decision.algorithm,
        model,
        to: decision.fallbackTo ?? '',
        reason: decision.fallbackReason,
      });
      this.logger.warn(
        {
          requestId: this.start.requestId,
          strategy: decision.strategy,
          reason: decision.fallbackReason,
          ...(decision.fallbackDetail ? { detail: decision.fallbackDetail } : {}),
        },
        'routing fell back',
      );
    }
  }

  prefilled(): void {
    // Prefill timing is recorded by tracing; the access log line names the prefill endpoint.
  }

  upstreamHeaders(): Readonly<Record<string, string>> {
    return {};
  }

  end(outcome: RequestOutcome): void {
    const d = this.decision;
    if (outcome.upstreamFailure && d) {
      this.metrics.upstreamErrors.inc({ endpoint: d.endpoint, kind: outcome.upstreamFailure });
    }
    const line = {
      requestId: this.start.requestId,
      method: this.start.method,
      path: this.start.path,
      model: this.model,
      endpoint: d?.endpoint,
      prefillEndpoint: d?.prefillEndpoint,
      strategy: d?.strategy,
      status: outcome.status,
      durationMs: Math.round((performance.now() - this.start.startedAt) * 100) / 100,
      ...(outcome.error ? { error: outcome.error.code } : {}),
      ...(outcome.upstreamFailure ? { upstreamFailure: outcome.upstreamFailure } : {}),
      ...(outcome.relay && outcome.relay !== 'complete' ? { relay: outcome.relay } : {}),
      ...(outcome.clientAborted ? { clientAborted: true } : {}),
    };
    if (outcome.status >= 500 || outcome.upstreamFailure) this.logger.warn(line, 'request');
    else this.logger.info(line, 'request');
  }
}
