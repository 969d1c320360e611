/**
 * Streams an upstream response body to the client as it arrives, chunk by chunk, with
 * backpressure, an idle timeout, and an honest end: a stream that breaks off after it
 * started ends with an SSE error event (event streams) or a cut connection (others),
 * never a hang and never a fake success.
 */
import type { ServerResponse } from 'node:http';
import { ClientGoneError } from '../api/body.js';
import { guarded, type ResponseObserver } from './observer.js';
import type { UpstreamResponse } from './upstream-call.js';
import { UpstreamError, type UpstreamFailureKind } from './upstream-error.js';

export type RelayOutcome = 'complete' | 'interrupted' | 'timeout' | 'client_gone';

export interface RelayResult {
  readonly outcome: RelayOutcome;
  readonly bytes: number;
  /** Set for `interrupted` and `timeout`. */
  readonly error?: UpstreamError;
}

export interface RelayOptions {
  readonly upstream: UpstreamResponse;
  readonly client: ServerResponse;
  readonly endpoint: string;
  readonly observer: ResponseObserver;
  /** Called when an observer hook throws; the response carries on. */
  readonly onObserverError: (err: unknown) => void;
  /**
   * The signal the upstream call was made with: aborted when the client left (reason
   * `ClientGoneError`) or the request deadline passed; the body then fails with its reason.
   */
  readonly signal: AbortSignal;
}

/**
 * Relays the body. Stalls (`idle_timeout`) and breaks (`interrupted`) are reported by the
 * upstream call (see `upstream-call.ts`); an abort arrives as the signal's reason.
 */
export function relay(options: RelayOptions): Promise<RelayResult> {
  const { upstream, client, observer } = options;
  const eventStream = String(upstream.headers['content-type'] ?? '').startsWith('text/event-stream');
  return new Promise((resolve) => {
    let bytes = 0;
    let done = false;
    const finish = (result: RelayResult) => {
      if (done) return;
      done = true;
      client.off('drain', onDrain);
      client.off('close', onClientClose);
      guarded(() => observer.onEnd(result), options.onObserverError);
      resolve(result);
    };
    const breakOff = (
      kind: UpstreamFailureKind,
      error = new UpstreamError(kind, options.endpoint, false),
    ) => {
      upstream.destroy();
      if (eventStream && !client.destroyed) {
        client.end(sseError(kind));
      } else {
        // A plain body cannot signal failure after its status; a cut connection is honest.
        client.destroy();
      }
      finish({ outcome: kind === 'interrupted' ? 'interrupted' : 'timeout', bytes, error });
    };
    const onDrain = () => upstream.resume();
    const onClientClose = () => {
      if (!client.writableFinished) {
        upstream.destroy();
        finish({ outcome: 'client_gone', bytes });
      }
    };
    client.on('drain', onDrain);
    client.on('close', onClientClose);
    upstream.read({
      onData(chunk) {
        if (done) return;
        bytes += chunk.length;
        if (!client.write(chunk)) upstream.pause();
        guarded(() => observer.onChunk(chunk), options.onObserverError);
      },
      onEnd() {
        if (done) return;
        client.end();
        finish({ outcome: 'complete', bytes });
      },
      onError(err) {
        if (done) return;
        if (err === options.signal.reason) {
          if (err instanceof ClientGoneError) finish({ outcome: 'client_gone', bytes });
          else breakOff('request_timeout');
        } else if (err instanceof UpstreamError && err.kind === 'idle_timeout') {
          breakOff('idle_timeout', err);
        } else {
          breakOff('interrupted', err instanceof UpstreamError ? err : undefined);
        }
      },
    });
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
