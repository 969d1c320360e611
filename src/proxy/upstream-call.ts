/**
 * Sends one request to one endpoint and resolves when the response headers arrive.
 * Every failure before that point is an `UpstreamError` with `beforeResponse: true`, which
 * makes it safe for the caller to try another endpoint.
 */
import http, { type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import type { EndpointSpec } from '../config/model.js';
import { httpAgent, httpsAgent } from './agents.js';
import { classifyBeforeResponse, UpstreamError } from './upstream-error.js';

export interface UpstreamRequest {
  readonly endpoint: EndpointSpec;
  readonly method: string;
  readonly path: string;
  readonly headers: OutgoingHttpHeaders;
  readonly body?: Buffer;
  readonly connectTimeoutMs: number;
  readonly firstByteTimeoutMs: number;
  /** Aborts the call (client gone, deadline); rejects with the signal's reason. */
  readonly signal: AbortSignal;
}

export function callUpstream(call: UpstreamRequest): Promise<IncomingMessage> {
  const { endpoint, signal } = call;
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const transport = endpoint.tls ? https : http;
    const req = transport.request({
      host: endpoint.host,
      port: endpoint.port,
      method: call.method,
      path: call.path,
      headers: call.headers,
      agent: endpoint.tls ? httpsAgent : httpAgent,
      ...(endpoint.tls ? { servername: endpoint.host } : {}),
    });
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const settle = () => {
      settled = true;
      if (timer) clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    };
    const fail = (err: unknown) => {
      if (settled) return;
      settle();
      req.destroy();
      reject(err);
    };
    const onAbort = () => fail(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });

    const startFirstByteTimer = () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(
        () => fail(new UpstreamError('first_byte_timeout', endpoint.id, true)),
        call.firstByteTimeoutMs,
      );
    };
    req.on('socket', (socket) => {
      if (socket.connecting) {
        timer = setTimeout(
          () => fail(new UpstreamError('connect_timeout', endpoint.id, true)),
          call.connectTimeoutMs,
        );
        socket.once(endpoint.tls ? 'secureConnect' : 'connect', startFirstByteTimer);
      } else {
        startFirstByteTimer();
      }
    });
    req.on('response', (res) => {
      if (settled) {
        res.destroy();
        return;
      }
      settle();
      resolve(res);
    });
    req.on('error', (err) =>
      fail(err instanceof UpstreamError ? err : classifyBeforeResponse(err, endpoint.id)),
    );
    req.end(call.body);
  });
}
