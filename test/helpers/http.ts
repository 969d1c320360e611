import http, { type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';

export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A request through node:http, for headers `fetch` refuses to send (Connection, ...). */
export function rawRequest(
  url: string,
  options: { method?: string; headers?: OutgoingHttpHeaders; body?: string | Buffer } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: options.method ?? 'GET', headers: options.headers ?? {}, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/**
 * Starts a chat request to `url` (a gateway or an engine) without waiting for its end, for
 * tests that abort it; `started` resolves at the first body bytes (or at the headers).
 */
export function openChatRequest(
  url: string,
  body: Record<string, unknown>,
  waitForData: boolean,
): { req: http.ClientRequest; started: Promise<void> } {
  const req = http.request(`${url}/v1/chat/completions`, { method: 'POST', agent: false });
  req.on('error', () => {});
  const started = new Promise<void>((resolve) => {
    req.on('response', (res) => {
      res.on('error', () => {});
      if (!waitForData) resolve();
      res.once('data', () => resolve());
    });
  });
  req.end(JSON.stringify(body));
  return { req, started };
}
