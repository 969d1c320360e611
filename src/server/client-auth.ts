/**
 * Client authentication in front of the whole API (inference, `/v1/models`, `/mcp`), when
 * API keys are configured: the key comes as `Authorization: Bearer KEY` (OpenAI SDKs) or
 * `api-key: KEY` (Azure OpenAI SDKs). A missing or wrong key is a 401 before the body is
 * read and before anything is routed, so no upstream is touched.
 *
 * An accepted key is consumed: both headers are removed from the request, so no later
 * stage can forward the client's key upstream, log it or copy it onto a span. Backends get
 * the credentials the gateway's config gives them, or none.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { Errors } from '../api/errors.js';
import type { ApiKeys } from '../config/api-keys.js';
import { requestIdFrom } from './request-id.js';
import { closeIfBodyUnread, sendError } from './respond.js';

export interface ClientAuthOptions {
  /** The keys in force, read per request (a reload swaps them); undefined turns auth off. */
  readonly keys: () => ApiKeys | undefined;
  /** Called for every refused request (metrics). */
  readonly onRejected: () => void;
}

export function withClientAuth(listener: RequestListener, options: ClientAuthOptions): RequestListener {
  return function authenticate(req: IncomingMessage, res: ServerResponse): void {
    const keys = options.keys();
    if (!keys) {
      listener(req, res);
      return;
    }
    const presented = presentedKey(req);
    delete req.headers['authorization'];
    delete req.headers['api-key'];
    if (presented !== undefined && keys.accepts(presented)) {
      listener(req, res);
      return;
    }
    options.onRejected();
    res.setHeader('x-request-id', requestIdFrom(req.headers['x-request-id']));
    closeIfBodyUnread(req, res);
    sendError(res, Errors.unauthorized());
  };
}

/** The key a client sent, if any: a Bearer token, else the `api-key` header. */
export function presentedKey(req: IncomingMessage): string | undefined {
  const authorization = req.headers['authorization'];
  if (authorization !== undefined) {
    const match = /^bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
    return match ? match[1] : undefined;
  }
  const apiKey = req.headers['api-key'];
  return typeof apiKey === 'string' && apiKey ? apiKey.trim() : undefined;
}
