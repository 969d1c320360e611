/**
 * A dispatch table in front of the express app for the API's own routes: a request whose
 * method and URL are exactly a table row's (same case, no query string, no trailing slash)
 * goes straight to that row's handler; every other request goes to express, which routes
 * the variants to the same handlers and answers 404 and 405.
 *
 * Why: express gives every request and response it sees its own prototypes, which makes
 * node's HTTP code take slow paths for the rest of the exchange; measured with
 * `npm run bench`, that cost a proxied chat completion more CPU than all of Switchyard's
 * parsing, routing and metrics together.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface DirectRoute {
  readonly method: string;
  readonly path: string;
  readonly handler: NodeHandler;
}

/**
 * @param onError answers a handler that threw synchronously (handlers answer their own
 *   asynchronous failures), as the fallback app's error handler would.
 */
export function directDispatch(
  routes: readonly DirectRoute[],
  fallback: RequestListener,
  onError: (err: unknown, req: IncomingMessage, res: ServerResponse) => void,
): RequestListener {
  const table = new Map<string, NodeHandler>();
  for (const { method, path, handler } of routes) table.set(`${method} ${path}`, handler);
  return function dispatch(req, res) {
    const handler = table.get(`${req.method} ${req.url}`);
    if (!handler) {
      fallback(req, res);
      return;
    }
    try {
      handler(req, res);
    } catch (err) {
      onError(err, req, res);
    }
  };
}
