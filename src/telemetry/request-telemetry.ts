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

/** Where a routed request goes upstream, as telemetry labels it. */
export interface UpstreamTarget {
  /** The backend's provider schema (`openai`, `azure-openai`). */
  readonly provider: string;
  /** The model name sent upstream (after any `modelNameOverride`). */
  readonly model: string;
}

/** The prefill step of a prefill/decode request, once it finished. */
export interface PrefillResult {
  readonly endpoint: string;
  /** `performance.now()` when the prefill request started, and its duration. */
  readonly startedAt: number;
  readonly durationMs: number;
  /** Upstream status, 0 when no response came. */
  readonly status: number;
}

export interface RequestTelemetry {
  /** The body was parsed. */
  parsed(request: InferenceRequest): void;
  /** An endpoint was chosen (called again if a retry chooses another). */
  routed(decision: RoutingDecision, upstream: UpstreamTarget): void;
  /** The prefill call of a prefill/decode request finished (before the decode call). */
  prefilled(result: PrefillResult): void;
  /** Headers to add to the upstream request (trace context). */
  upstreamHeaders(): Readonly<Record<string, string>>;
  /** Observes the relayed upstream response. */
  readonly response: ResponseObserver;
  end(outcome: RequestOutcome): void;
}

export interface Telemetry {
  begin(start: RequestStart): RequestTelemetry;
}
