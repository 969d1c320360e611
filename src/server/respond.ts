import type { ServerResponse } from 'node:http';
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
