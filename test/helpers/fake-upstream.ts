/**
 * A small OpenAI-compatible HTTP server that tests start in-process on a free loopback
 * port. It records every request and answers with whatever the test's handler does.
 */
import http, { type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly json: Record<string, unknown> | undefined;
}

export type UpstreamHandler = (req: RecordedRequest, res: ServerResponse) => void | Promise<void>;

export class FakeUpstream {
  /** Requests the test sent through the gateway (metrics scrapes are kept apart). */
  readonly requests: RecordedRequest[] = [];
  /** The gateway's `GET /metrics` scrapes (it polls self-hosted engines for routing). */
  readonly scrapes: RecordedRequest[] = [];
  handler: UpstreamHandler = (req, res) => reply.json(res, 200, reply.chatCompletion('hello from fake', req));

  private constructor(private readonly server: Server) {}

  static async start(handler?: UpstreamHandler): Promise<FakeUpstream> {
    const server = http.createServer();
    const upstream = new FakeUpstream(server);
    if (handler) upstream.handler = handler;
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let json: Record<string, unknown> | undefined;
        try {
          json = body ? (JSON.parse(body) as Record<string, unknown>) : undefined;
        } catch {
          json = undefined;
        }
        const recorded = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, json };
        const isScrape = recorded.method === 'GET' && recorded.path === '/metrics';
        (isScrape ? upstream.scrapes : upstream.requests).push(recorded);
        void Promise.resolve(upstream.handler(recorded, res)).catch((err: unknown) => {
          res.destroy(err as Error);
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return upstream;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** `127.0.0.1:<port>`, as written in an endpoints file and reported in `target-pod`. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export const reply = {
  json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      ...headers,
    });
    res.end(text);
  },

  chatCompletion(content: string, req?: RecordedRequest) {
    return {
      id: 'chatcmpl-fake',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: (req?.json?.['model'] as string | undefined) ?? 'fake-model',
      choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
    };
  },

  /** An SSE stream of chat chunks, one per `parts` entry; waits for `gate` before the last. */
  async chatStream(res: ServerResponse, parts: readonly string[], gate?: Promise<unknown>): Promise<void> {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    for (const [i, part] of parts.entries()) {
      if (gate && i === parts.length - 1) await gate;
      const chunk = {
        id: 'chatcmpl-fake',
        object: 'chat.completion.chunk',
        created: 1_700_000_000,
        model: 'fake-model',
        choices: [
          { index: 0, delta: { content: part }, finish_reason: i === parts.length - 1 ? 'stop' : null },
        ],
      };
      res.write(`data: ${JSON.stringify(chunk)}\n\n`);
    }
    res.end('data: [DONE]\n\n');
  },
};

/** A promise with its resolve function, for tests that release an upstream on cue. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Writes an AIBrix endpoints file for `models` into a temp dir and returns its path. */
export { writeEndpointsFile } from './files.js';
