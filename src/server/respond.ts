import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayError } from '../api/errors.js';

/** Sends an OpenAI-shaped error, unless a response has already started. */
export function sendError(res: ServerResponse, err: GatewayError): void {
  if (res.headersSent || res.destroyed) return;
  const body = JSON.stringify(err.toBody());
  res.writeHead(err.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...err.headers,
  });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * Asks for the connection to close after this response when the client may still be
 * sending a body the gateway will not read (a request refused early), so that body is not
 * received and thrown away.
 */
export function closeIfBodyUnread(req: IncomingMessage, res: ServerResponse): void {
  if (req.complete) return;
  const length = req.headers['content-length'];
  if (req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0'))
    res.setHeader('connection', 'close');
}
