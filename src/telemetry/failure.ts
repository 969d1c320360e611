/**
 * Whether a request failed, and how telemetry names it: one description serves the span
 * (status ERROR + `exception` event) and the metrics (`error_type`). Types come from
 * statuses and codes, never from messages. A client that left is not a failure.
 */
import type { RequestOutcome } from './request-telemetry.js';
import type { ResponseFacts } from './response/response-collector.js';

export interface Failure {
  /** Low-cardinality metric label: the HTTP status, the gateway's error code or the upstream failure kind. */
  readonly errorType: string;
  /** `exception.type`, named like the OpenAI SDK's exceptions (as Envoy AI Gateway does). */
  readonly exceptionType: string;
  /** `exception.message`: `Error code: 404 - <body>`; built only when a span records it. */
  readonly message: () => string;
}

/** Longest upstream error body quoted in an exception message. */
const MAX_QUOTED_BODY = 4096;

export function describeFailure(
  outcome: RequestOutcome,
  response: ResponseFacts | undefined,
): Failure | undefined {
  if (outcome.clientAborted) return undefined;
  if (response && response.status >= 400) {
    const status = response.status;
    return {
      errorType: String(status),
      exceptionType: exceptionTypeFor(status),
      message: () => errorMessage(status, response.text),
    };
  }
  if (outcome.error) {
    const error = outcome.error;
    return {
      errorType: error.code ?? String(error.status),
      exceptionType: exceptionTypeFor(error.status),
      message: () => errorMessage(error.status, JSON.stringify(error.toBody())),
    };
  }
  if (outcome.upstreamFailure) {
    const kind = outcome.upstreamFailure;
    return {
      errorType: kind,
      exceptionType: 'APIConnectionError',
      message: () => `The upstream response broke off: ${kind}`,
    };
  }
  if (response?.streamError !== undefined) {
    const data = response.streamError;
    return {
      errorType: 'stream_error',
      exceptionType: 'APIError',
      message: () => `The upstream sent an error event - ${quote(data)}`,
    };
  }
  return undefined;
}

export function exceptionTypeFor(status: number): string {
  switch (status) {
    case 400:
      return 'BadRequestError';
    case 401:
      return 'AuthenticationError';
    case 403:
      return 'PermissionDeniedError';
    case 404:
      return 'NotFoundError';
    case 409:
      return 'ConflictError';
    case 422:
      return 'UnprocessableEntityError';
    case 429:
      return 'RateLimitError';
    default:
      return status >= 500 ? 'InternalServerError' : 'APIStatusError';
  }
}

function errorMessage(status: number, body: string | undefined): string {
  const text = body?.trim();
  return text ? `Error code: ${status} - ${quote(text)}` : `Error code: ${status}`;
}

function quote(text: string): string {
  return text.length > MAX_QUOTED_BODY ? `${text.slice(0, MAX_QUOTED_BODY)}...` : text;
}
