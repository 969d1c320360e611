/**
 * What the request pipeline tells telemetry, per request. One `RequestTelemetry` is begun
 * per request and ended exactly once; implementations fan out to logs, metrics and spans.
 * Every method must be cheap and must not throw.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { GatewayError } from '../api/errors.js';
import type { InferenceRequest, Operation } from '../api/inference-request.js';
import type { ResponseObserver } from '../proxy/observer.js';
import type { RelayOutcome } from '../proxy/relay.js';
import type { UpstreamFailureKind } from '../proxy/upstream-error.js';
import type { RoutingDecision } from '../routing/decision.js';

export interface RequestStart {
  readonly requestId: string;
  readonly operation: Operation;
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** `performance.now()` when the request arrived. */
  readonly startedAt: number;
}

export interface RequestOutcome {
  /** Status sent to the client (0 when the client left before any). */
  readonly status: number;
  /** The gateway's own error, when it answered with one. */
  readonly error?: GatewayError;
  /** The upstream failure behind an error or a broken stream. */
  readonly upstreamFailure?: UpstreamFailureKind;
  /** How the response body ended, when one was relayed. */
  readonly relay?: RelayOutcome;
  /** The client disconnected before the response finished. */
  readonly clientAborted: boolean;
}

export interface RequestTelemetry {
  /** The body was parsed. */
  parsed(request: InferenceRequest): void;
  /** An endpoint was chosen (called again if a retry chooses another). */
  routed(decision: RoutingDecision): void;
  /** Headers to add to the upstream request (trace context). */
  upstreamHeaders(): Readonly<Record<string, string>>;
  /** Observes the relayed upstream response. */
  readonly response: ResponseObserver;
  end(outcome: RequestOutcome): void;
}

export interface Telemetry {
  begin(start: RequestStart): RequestTelemetry;
}
