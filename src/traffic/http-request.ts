/**
 * One HTTP request with node:http(s) rather than `fetch`: fetch refuses the ports on the
 * WHATWG "bad ports" list, and the lab's Envoy listens on one of them (10080).
 */
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';

export interface HttpRequest {
  readonly method: 'GET' | 'POST';
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly signal?: AbortSignal;
}

/** Resolves with the response once its headers arrived; the body is the message's stream. */
export function httpRequest(url: string, request: HttpRequest): Promise<IncomingMessage> {
  const target = new URL(url);
  const transport = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(
      target,
      {
        method: request.method,
        headers: {
          ...request.headers,
          ...(request.body !== undefined ? { 'content-length': Buffer.byteLength(request.body) } : {}),
        },
        ...(request.signal ? { signal: request.signal } : {}),
      },
      resolve,
    );
    req.once('error', reject);
    req.end(request.body);
  });
}

/** The whole body as text. */
export async function readText(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
