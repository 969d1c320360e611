/**
 * Sends one request to one endpoint (undici's dispatcher, see `agents.ts`) and resolves
 * when the response headers arrive, with the body to be read as it comes.
 *
 * Every failure before the headers is an `UpstreamError` with `beforeResponse: true` (safe
 * to try another endpoint), or the signal's reason when the call was aborted. A failure
 * after them reaches the body's reader as `interrupted` or `idle_timeout` (no byte for
 * `idleTimeoutMs`), or as the signal's reason.
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import type { EndpointSpec } from '../config/model.js';
import { dispatcherFor } from './agents.js';
import { classifyBeforeResponse, UpstreamError } from './upstream-error.js';

export interface UpstreamRequest {
  readonly endpoint: EndpointSpec;
  readonly method: string;
  readonly path: string;
  readonly headers: OutgoingHttpHeaders;
  readonly body?: Buffer;
  readonly connectTimeoutMs: number;
  /** Longest wait for the response headers once the request is sent. */
  readonly firstByteTimeoutMs: number;
  /** Longest silence within the body; 0 waits for ever. */
  readonly idleTimeoutMs: number;
  /** Aborts the call (client gone, deadline); failures then carry the signal's reason. */
  readonly signal: AbortSignal;
}

/** Receives a response body: chunks, then exactly one of `onEnd` and `onError`. */
export interface BodySink {
  onData(chunk: Buffer): void;
  onEnd(): void;
  onError(err: unknown): void;
}

export interface UpstreamResponse {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
  /** Starts delivering the body to `sink` (what already arrived first); call once. */
  read(sink: BodySink): void;
  /** Backpressure: stop and restart reading from the upstream. */
  pause(): void;
  resume(): void;
  /** Drops the response; the sink hears nothing more. */
  destroy(): void;
}

export function callUpstream(call: UpstreamRequest): Promise<UpstreamResponse> {
  return new Promise((resolve, reject) => {
    if (call.signal.aborted) {
      reject(call.signal.reason);
      return;
    }
    const { endpoint } = call;
    const handler = new UpstreamCall(call, resolve, reject);
    try {
      dispatcherFor(call.connectTimeoutMs).dispatch(
        {
          origin: `${endpoint.tls ? 'https' : 'http'}://${endpoint.host}:${endpoint.port}`,
          method: call.method as Dispatcher.HttpMethod,
          path: call.path,
          headers: call.headers as Record<string, string | string[]>,
          ...(call.body ? { body: call.body } : {}),
          headersTimeout: call.firstByteTimeoutMs,
          bodyTimeout: call.idleTimeoutMs,
        },
        handler,
      );
    } catch (err) {
      handler.fail(err);
    }
  });
}

type State = 'waiting' | 'body' | 'done' | 'dropped';

/** One call's undici handler, and the response it resolves with. */
class UpstreamCall implements Dispatcher.DispatchHandler, UpstreamResponse {
  statusCode = 0;
  headers: IncomingHttpHeaders = {};
  private state: State = 'waiting';
  private controller: Dispatcher.DispatchController | undefined;
  private sink: BodySink | undefined;
  /** What arrived before `read`: chunks, then how the body ended. */
  private early: Buffer[] = [];
  private ending: { error?: unknown } | undefined;
  private readonly onAbort = () => this.controller?.abort(this.call.signal.reason as Error);

  constructor(
    private readonly call: UpstreamRequest,
    private readonly resolve: (response: UpstreamResponse) => void,
    private readonly reject: (err: unknown) => void,
  ) {}

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.call.signal.aborted) controller.abort(this.call.signal.reason as Error);
    else this.call.signal.addEventListener('abort', this.onAbort, { once: true });
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
  ): void {
    if (statusCode < 200) return; // 1xx informational answers precede the real one
    this.statusCode = statusCode;
    this.headers = headers;
    this.state = 'body';
    this.resolve(this);
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.state !== 'body') return;
    if (this.sink) this.sink.onData(chunk);
    else this.early.push(chunk);
  }

  onResponseEnd(): void {
    this.finish(undefined);
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    this.fail(err);
  }

  /** A failure from undici (or from dispatching at all). */
  fail(err: unknown): void {
    const { signal, endpoint } = this.call;
    // Once the signal fired, whatever undici reports is the abort it was asked for.
    const aborted = signal.aborted;
    if (this.state === 'waiting') {
      this.state = 'done';
      signal.removeEventListener('abort', this.onAbort);
      this.reject(aborted ? signal.reason : classifyWaiting(err, endpoint.id));
      return;
    }
    this.finish({ error: aborted ? signal.reason : classifyBody(err, endpoint.id) });
  }

  read(sink: BodySink): void {
    this.sink = sink;
    const early = this.early;
    this.early = [];
    for (const chunk of early) sink.onData(chunk);
    if (this.ending) this.deliver(this.ending);
  }

  pause(): void {
    this.controller?.pause();
  }

  resume(): void {
    this.controller?.resume();
  }

  destroy(): void {
    if (this.state === 'done' || this.state === 'dropped') return;
    this.state = 'dropped';
    this.call.signal.removeEventListener('abort', this.onAbort);
    this.controller?.abort(new Error('response discarded by the gateway'));
  }

  private finish(ending: { error?: unknown } | undefined): void {
    if (this.state !== 'body') return;
    this.state = 'done';
    this.call.signal.removeEventListener('abort', this.onAbort);
    const how = ending ?? {};
    if (this.sink) this.deliver(how);
    else this.ending = how;
  }

  private deliver(ending: { error?: unknown }): void {
    if ('error' in ending) this.sink!.onError(ending.error);
    else this.sink!.onEnd();
  }
}

const code = (err: unknown) => (err as { code?: string } | undefined)?.code;

/** Before the headers: what went wrong, as a kind the caller can act on. */
function classifyWaiting(err: unknown, endpoint: string): UpstreamError {
  if (err instanceof UpstreamError) return err;
  if (code(err) === 'UND_ERR_CONNECT_TIMEOUT')
    return new UpstreamError('connect_timeout', endpoint, true, err);
  if (code(err) === 'UND_ERR_HEADERS_TIMEOUT')
    return new UpstreamError('first_byte_timeout', endpoint, true, err);
  return classifyBeforeResponse(err, endpoint);
}

/** Within the body: a stall, or the stream broke off. */
function classifyBody(err: unknown, endpoint: string): UpstreamError {
  if (err instanceof UpstreamError) return err;
  if (code(err) === 'UND_ERR_BODY_TIMEOUT') return new UpstreamError('idle_timeout', endpoint, false, err);
  return new UpstreamError('interrupted', endpoint, false, err);
}

/**
 * Reads a whole (small) body as text. Rejects as the body's reader would hear it
 * (`interrupted`, `idle_timeout`, the abort reason), and with `tooLarge()` when it passes
 * `maxBytes` (the rest is dropped).
 */
export function readText(
  response: UpstreamResponse,
  maxBytes: number,
  tooLarge: () => unknown,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    response.read({
      onData(chunk) {
        if (over) return;
        size += chunk.length;
        if (size > maxBytes) {
          over = true;
          response.destroy();
          reject(tooLarge());
          return;
        }
        chunks.push(chunk);
      },
      onEnd: () => resolve(Buffer.concat(chunks, size).toString('utf8')),
      onError: reject,
    });
  });
}
