/** Upstream failures -> the client's error, in one place. */
import { Errors, type GatewayError } from '../api/errors.js';
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
