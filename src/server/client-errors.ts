/**
 * What the API answers when node's HTTP parser refuses a request before any handler runs
 * (the server's `clientError` event): an OpenAI-shaped JSON error instead of node's bare
 * status line, then the connection closes.
 *
 * - headers over `--max-header-size`: 431 `request_headers_too_large`;
 * - headers and body not received within `--request-read-timeout` (slowloris): 408;
 * - anything else that is not HTTP/1.1 (bad method, smuggling attempts such as both
 *   Content-Length and Transfer-Encoding, bad characters): 400 `bad_request`;
 * - an `Expect` header other than 100-continue (`checkExpectation`): 417.
 * A client that reset or half-closed the connection gets nothing.
 */
import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { Errors, type GatewayError } from '../api/errors.js';
import { sendError } from './respond.js';

export type ClientErrorReason = 'headers_too_large' | 'request_timeout' | 'bad_http';

const SILENT = new Set(['ECONNRESET', 'EPIPE', 'HPE_INVALID_EOF_STATE']);

export function clientErrorHandler(
  maxHeaderBytes: number,
  onRejected: (reason: ClientErrorReason) => void,
): (err: Error & { code?: string }, socket: Duplex) => void {
  return function answerClientError(err, socket) {
    // A response already started on this socket cannot be replaced by an error.
    const started = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage
      ?.headersSent;
    if (!socket.writable || started || (err.code !== undefined && SILENT.has(err.code))) {
      socket.destroy();
      return;
    }
    let reason: ClientErrorReason;
    let error: GatewayError;
    if (err.code === 'HPE_HEADER_OVERFLOW') {
      reason = 'headers_too_large';
      error = Errors.headersTooLarge(maxHeaderBytes);
    } else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      reason = 'request_timeout';
      error = Errors.requestTimeout();
    } else {
      reason = 'bad_http';
      error = Errors.badHttp();
    }
    onRejected(reason);
    socket.on('error', () => socket.destroy());
    socket.end(rawResponse(error));
  };
}

/** The server's `checkExpectation` event: an `Expect` other than 100-continue is a 417. */
export function answerUnmetExpectation(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('x-request-id', randomUUID());
  sendError(res, Errors.expectationFailed(String(req.headers['expect'] ?? '')));
}

/** The error as a complete HTTP/1.1 response that closes the connection. */
function rawResponse(error: GatewayError): string {
  const body = JSON.stringify(error.toBody());
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    'x-request-id': randomUUID(),
    ...error.headers,
    connection: 'close',
  };
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  return `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? ''}\r\n${lines.join('')}\r\n${body}`;
}
