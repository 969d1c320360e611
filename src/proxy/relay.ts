/**
 * Streams an upstream response body to the client as it arrives, chunk by chunk, with
 * backpressure, an idle timeout, and an honest end: a stream that breaks off after it
 * started ends with an SSE error event (event streams) or a cut connection (others),
 * never a hang and never a fake success.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ClientGoneError } from '../api/body.js';
import { guarded, type ResponseObserver } from './observer.js';
import { UpstreamError, type UpstreamFailureKind } from './upstream-error.js';

export type RelayOutcome = 'complete' | 'interrupted' | 'timeout' | 'client_gone';

export interface RelayResult {
  readonly outcome: RelayOutcome;
  readonly bytes: number;
  /** Set for `interrupted` and `timeout`. */
  readonly error?: UpstreamError;
}

export interface RelayOptions {
  readonly upstream: IncomingMessage;
  readonly client: ServerResponse;
  readonly endpoint: string;
  readonly idleTimeoutMs: number;
  readonly observer: ResponseObserver;
  /** Called when an observer hook throws; the response carries on. */
  readonly onObserverError: (err: unknown) => void;
  /** Aborted when the client left (reason `ClientGoneError`) or the request deadline passed. */
  readonly signal: AbortSignal;
}

export function relay(options: RelayOptions): Promise<RelayResult> {
  const { upstream, client, observer } = options;
  const eventStream = String(upstream.headers['content-type'] ?? '').startsWith('text/event-stream');
  return new Promise((resolve) => {
    let bytes = 0;
    let done = false;
    let idle: NodeJS.Timeout | undefined;

    const finish = (result: RelayResult) => {
      if (done) return;
      done = true;
      if (idle) clearTimeout(idle);
      upstream.off('data', onData);
      client.off('drain', onDrain);
      client.off('close', onClientClose);
      options.signal.removeEventListener('abort', onAbort);
      guarded(() => observer.onEnd(result), options.onObserverError);
      resolve(result);
    };

    const breakOff = (kind: UpstreamFailureKind) => {
      const error = new UpstreamError(kind, options.endpoint, false);
      upstream.destroy();
      if (eventStream && !client.destroyed) {
        client.end(sseError(kind));
      } else {
        // A plain body cannot signal failure after its status; a cut connection is honest.
        client.destroy();
      }
      finish({ outcome: kind === 'interrupted' ? 'interrupted' : 'timeout', bytes, error });
    };

    // One timer per response, re-armed in place on every chunk.
    const armIdle = () => {
      if (idle) idle.refresh();
      else idle = setTimeout(() => breakOff('idle_timeout'), options.idleTimeoutMs);
    };

    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      armIdle();
      if (!client.write(chunk)) upstream.pause();
      guarded(() => observer.onChunk(chunk), options.onObserverError);
    };
    const onDrain = () => upstream.resume();
    const onAbort = () => {
      if (options.signal.reason instanceof ClientGoneError) {
        upstream.destroy();
        finish({ outcome: 'client_gone', bytes });
      } else {
        breakOff('request_timeout');
      }
    };
    const onClientClose = () => {
      if (!client.writableFinished) {
        upstream.destroy();
        finish({ outcome: 'client_gone', bytes });
      }
    };

    upstream.on('data', onData);
    upstream.once('end', () => {
      client.end();
      finish({ outcome: 'complete', bytes });
    });
    upstream.once('close', () => {
      if (!upstream.complete) breakOff('interrupted');
    });
    upstream.on('error', () => {
      /* handled by 'close' */
    });
    client.on('drain', onDrain);
    client.on('close', onClientClose);
    options.signal.addEventListener('abort', onAbort, { once: true });
    armIdle();
  });
}

/** The SSE event that ends a broken stream; the OpenAI SDKs raise it as an APIError. */
export function sseError(kind: UpstreamFailureKind): string {
  const message =
    kind === 'idle_timeout'
      ? 'The upstream stopped sending for longer than the idle timeout.'
      : kind === 'request_timeout'
        ? 'The request took longer than its deadline.'
        : 'The upstream stream was interrupted.';
  const body = { error: { message, type: 'server_error', code: `upstream_${kind}`, param: null } };
  return `event: error\ndata: ${JSON.stringify(body)}\n\n`;
}
