/**
 * Why an upstream call failed, as a kind the gateway can act on (retry, status, metrics)
 * without parsing messages.
 */
export type UpstreamFailureKind =
  /** Could not open a connection (refused, unreachable, DNS). Safe to retry elsewhere. */
  | 'connect'
  /** No connection within the connect timeout. Safe to retry elsewhere. */
  | 'connect_timeout'
  /** The connection closed before any response byte. */
  | 'reset'
  /** No response headers within the first-byte timeout. */
  | 'first_byte_timeout'
  /** The response stopped for longer than the idle timeout. */
  | 'idle_timeout'
  /** The response broke off after it started. */
  | 'interrupted'
  /** The whole-request deadline passed. */
  | 'request_timeout'
  /** The upstream answered 5xx and the gateway moved on to another backend without relaying it. */
  | 'server_error';

export class UpstreamError extends Error {
  constructor(
    readonly kind: UpstreamFailureKind,
    readonly endpoint: string,
    /** True when no response byte reached the gateway, so nothing reached the client. */
    readonly beforeResponse: boolean,
    cause?: unknown,
    /** The upstream's HTTP status, for `server_error`. */
    readonly status?: number,
  ) {
    super(`upstream ${endpoint}: ${kind}`, { cause });
    this.name = 'UpstreamError';
  }

  get isTimeout(): boolean {
    return this.kind.endsWith('timeout');
  }
}

const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EADDRNOTAVAIL',
]);

/** Classifies a socket error that happened before the response started. */
export function classifyBeforeResponse(err: unknown, endpoint: string): UpstreamError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const kind = code && CONNECT_CODES.has(code) ? 'connect' : 'reset';
  return new UpstreamError(kind, endpoint, true, err);
}
