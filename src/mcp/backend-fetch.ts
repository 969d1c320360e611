/**
 * The `fetch` the backend transports use: the platform fetch, plus a watch on the event
 * streams that carry POST responses. The SDK client does not resume such a stream when it
 * breaks without a resumption id, so a server that dies mid-call would leave the call
 * waiting for its timeout. The watch reports the break at once, and the connection fails
 * the calls in flight with a clear error instead.
 */
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';

export function watchedFetch(onResponseStreamBroken: (err: unknown) => void): FetchLike {
  return async (url, init) => {
    const res = await fetch(url, init);
    const isPostStream =
      init?.method === 'POST' &&
      res.body !== null &&
      (res.headers.get('content-type') ?? '').toLowerCase().startsWith('text/event-stream');
    return isPostStream ? withWatchedBody(res, onResponseStreamBroken) : res;
  };
}

function withWatchedBody(res: Response, onBroken: (err: unknown) => void): Response {
  const reader = res.body!.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (err) {
        onBroken(err);
        controller.error(err);
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
}
