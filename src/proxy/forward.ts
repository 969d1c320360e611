/**
 * One attempt to serve a request from one endpoint: write the upstream request, wait for
 * its headers, then stream its body to the client.
 *
 * Resolves with how the body ended. Rejects (with an `UpstreamError`, `beforeResponse`)
 * only when nothing has been sent to the client yet, so the caller may still answer with
 * an error or try elsewhere.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { EndpointSpec, Timeouts } from '../config/model.js';
import { appendForwardedFor, endToEndHeaders } from './hop-by-hop.js';
import { guarded, type ResponseObserver } from './observer.js';
import { type RelayResult, relay } from './relay.js';
import { callUpstream } from './upstream-call.js';
import { UpstreamError } from './upstream-error.js';

/** Client headers that never go upstream as they are: the gateway rewrites them. */
const ALWAYS_DROPPED = ['host', 'content-length', 'accept-encoding', 'expect', 'routing-strategy'];

/** Dropped headers as a set, per adapter list (adapters keep one list for their lifetime). */
const dropSets = new WeakMap<readonly string[], ReadonlySet<string>>();
function droppedHeaders(adapterDrops: readonly string[]): ReadonlySet<string> {
  let set = dropSets.get(adapterDrops);
  if (!set) {
    set = new Set([...ALWAYS_DROPPED, ...adapterDrops]);
    dropSets.set(adapterDrops, set);
  }
  return set;
}

export interface ForwardOptions {
  readonly client: { readonly req: IncomingMessage; readonly res: ServerResponse };
  readonly endpoint: EndpointSpec;
  readonly path: string;
  readonly body: Buffer;
  /** Headers set upstream over the client's (credentials, trace context, request id). */
  readonly setHeaders: Readonly<Record<string, string>>;
  /** Client headers removed (the adapter's credential headers when it injects its own). */
  readonly dropHeaders: readonly string[];
  /** Headers added to the client response (x-request-id, target-pod, ...). */
  readonly responseHeaders: Readonly<Record<string, string>>;
  readonly timeouts: Pick<Timeouts, 'connectMs' | 'firstByteMs' | 'idleMs'>;
  readonly signal: AbortSignal;
  /**
   * When it returns true for the upstream's status, the response is discarded before any
   * of it reaches the client and `forward` rejects with a `server_error` UpstreamError
   * (`beforeResponse`), so the caller can try another backend.
   */
  readonly fallbackOnStatus?: (status: number) => boolean;
  readonly observer: ResponseObserver;
  readonly onObserverError: (err: unknown) => void;
}

export interface ForwardResult extends RelayResult {
  readonly status: number;
}

export async function forward(options: ForwardOptions): Promise<ForwardResult> {
  const { req, res } = options.client;
  const upstream = await callUpstream({
    endpoint: options.endpoint,
    method: 'POST',
    path: options.path,
    headers: upstreamHeaders(req, options),
    body: options.body,
    connectTimeoutMs: options.timeouts.connectMs,
    firstByteTimeoutMs: options.timeouts.firstByteMs,
    idleTimeoutMs: options.timeouts.idleMs,
    signal: options.signal,
  });
  const status = upstream.statusCode;
  if (options.fallbackOnStatus?.(status)) {
    upstream.destroy();
    throw new UpstreamError('server_error', options.endpoint.id, true, undefined, status);
  }
  guarded(() => options.observer.onResponse(status, upstream.headers), options.onObserverError);
  const headers = endToEndHeaders(upstream.headers, NO_DROP);
  Object.assign(headers, options.responseHeaders);
  res.writeHead(status, headers);
  if (String(upstream.headers['content-type'] ?? '').startsWith('text/event-stream')) res.flushHeaders();
  const result = await relay({
    upstream,
    client: res,
    endpoint: options.endpoint.id,
    observer: options.observer,
    onObserverError: options.onObserverError,
    signal: options.signal,
  });
  return { ...result, status };
}

const NO_DROP: ReadonlySet<string> = new Set();

/** The upstream request's headers: the client's end-to-end headers, rewritten for `endpoint`. */
export function upstreamHeaders(
  req: IncomingMessage,
  options: Pick<ForwardOptions, 'endpoint' | 'body' | 'setHeaders' | 'dropHeaders'>,
): OutgoingHttpHeaders {
  const headers = endToEndHeaders(req.headers, droppedHeaders(options.dropHeaders));
  const { endpoint } = options;
  const defaultPort = endpoint.tls ? 443 : 80;
  headers['host'] = endpoint.port === defaultPort ? endpoint.host : `${endpoint.host}:${endpoint.port}`;
  headers['content-length'] = String(options.body.length);
  // Identity encoding keeps the body readable for usage accounting and tracing.
  headers['accept-encoding'] = 'identity';
  const forwardedFor = appendForwardedFor(req.headers['x-forwarded-for'], req.socket.remoteAddress);
  if (forwardedFor) headers['x-forwarded-for'] = forwardedFor;
  Object.assign(headers, options.setHeaders);
  return headers;
}
