/** Upstream failures -> the client's error, in one place. */
import { Errors, type ErrorType, GatewayError } from '../api/errors.js';
import type { PrefillResult } from '../proxy/prefill.js';
import type { UpstreamError } from '../proxy/upstream-error.js';

export function upstreamFailureToError(err: UpstreamError, model: string): GatewayError {
  switch (err.kind) {
    case 'connect':
      return Errors.upstreamConnect(model);
    case 'reset':
    case 'interrupted':
      return Errors.upstreamReset(model);
    case 'connect_timeout':
      return Errors.upstreamTimeout(model, 'connect');
    case 'first_byte_timeout':
      return Errors.upstreamTimeout(model, 'no response headers in time');
    case 'idle_timeout':
      return Errors.upstreamTimeout(model, 'response idle too long');
    case 'request_timeout':
      return Errors.upstreamTimeout(model, 'request deadline');
    case 'server_error':
      return Errors.upstreamBadResponse(model, `it answered with status ${err.status ?? 'unknown'}`);
  }
}

/** Failures after which another endpoint may be tried: nothing reached the engine's output. */
export function isRetriable(err: UpstreamError): boolean {
  return (
    err.beforeResponse &&
    (err.kind === 'connect' ||
      err.kind === 'connect_timeout' ||
      err.kind === 'reset' ||
      err.kind === 'server_error')
  );
}

/**
 * A prefill engine's unusable answer -> the client's error. A 4xx with an OpenAI-shaped
 * body is the client's own problem (prompt too long, bad field) and passes through with
 * its status, as any upstream error does; anything else is a 502 `prefill_failed`.
 */
export function prefillFailureToError(result: PrefillResult & { ok: false }, model: string): GatewayError {
  const body = result.json as Record<string, unknown> | undefined;
  // OpenAI's `{"error": {...}}`, or vLLM's older top-level `{"object": "error", "message": ...}`.
  const nested = body?.['error'];
  const error = (
    typeof nested === 'object' && nested !== null ? nested : body?.['object'] === 'error' ? body : undefined
  ) as Record<string, unknown> | undefined;
  if (result.status >= 400 && result.status < 500 && error && typeof error['message'] === 'string') {
    const text = (key: string) =>
      typeof error[key] === 'string' || typeof error[key] === 'number' ? String(error[key]) : null;
    return new GatewayError(
      result.status,
      (text('type') ?? 'invalid_request_error') as ErrorType,
      text('code'),
      error['message'],
      text('param'),
    );
  }
  return Errors.prefillFailed(model, result.problem);
}
