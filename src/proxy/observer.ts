import type { IncomingHttpHeaders } from 'node:http';
import type { RelayResult } from './relay.js';

/**
 * Watches an upstream response as it passes to the client, without delaying it.
 * Implementations (telemetry) must be cheap and must not throw; calls are guarded anyway.
 */
export interface ResponseObserver {
  /** The upstream answered: status and headers, before any body byte. */
  onResponse(status: number, headers: IncomingHttpHeaders): void;
  /** One body chunk, already queued for the client. */
  onChunk(chunk: Buffer): void;
  /** The body finished, completely or not. Called exactly once per relayed response. */
  onEnd(result: RelayResult): void;
}

export const NO_OBSERVER: ResponseObserver = {
  onResponse() {},
  onChunk() {},
  onEnd() {},
};

/** Runs an observer hook so that its failure can never break the response. */
export function guarded(fn: () => void, onFailure: (err: unknown) => void): void {
  try {
    fn();
  } catch (err) {
    onFailure(err);
  }
}

/** One observer that feeds several; each hook of each is guarded on its own. */
export function combineObservers(
  observers: readonly ResponseObserver[],
  onFailure: (err: unknown) => void,
): ResponseObserver {
  return {
    onResponse: (status, headers) => {
      for (const o of observers) guarded(() => o.onResponse(status, headers), onFailure);
    },
    onChunk: (chunk) => {
      for (const o of observers) guarded(() => o.onChunk(chunk), onFailure);
    },
    onEnd: (result) => {
      for (const o of observers) guarded(() => o.onEnd(result), onFailure);
    },
  };
}
