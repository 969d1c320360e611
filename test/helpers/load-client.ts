/**
 * Clients for load, fault and soak tests: one request over its own connection (node:http,
 * no pooling surprises), read to the end, and classified by how it ended.
 */
import http from 'node:http';

export type StreamEnding = 'done' | 'error-event' | 'cut' | 'http-error';

export interface Exchange {
  readonly status: number;
  /** `target-pod`: the endpoint that served it. */
  readonly pod: string | undefined;
  readonly body: string;
  /** For streams: `[DONE]` seen, an `event: error`, or a connection that ended without either. */
  readonly ending: StreamEnding;
  /** The connection failed before a response (refused, reset). */
  readonly failed: boolean;
}

export interface SendOptions {
  readonly headers?: Record<string, string>;
  /** Called once, when the first body bytes arrive. */
  readonly onFirstBytes?: (pod: string | undefined) => void;
  /** Gives up (destroys the request) after this long; a test's last line of defence against hangs. */
  readonly timeoutMs?: number;
}

/** POSTs `body` as JSON to `url` and resolves when the response ends (or the connection fails). */
export function send(url: string, body: unknown, options: SendOptions = {}): Promise<Exchange> {
  return new Promise((resolve) => {
    const req = http.request(url, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', ...options.headers },
    });
    const timer = setTimeout(() => req.destroy(new Error('client timeout')), options.timeoutMs ?? 120_000);
    const done = (exchange: Exchange) => {
      clearTimeout(timer);
      resolve(exchange);
    };
    req.on('error', () => done({ status: 0, pod: undefined, body: '', ending: 'cut', failed: true }));
    req.on('response', (res) => {
      const pod = res.headers['target-pod'] as string | undefined;
      const chunks: Buffer[] = [];
      let first = true;
      res.on('data', (chunk: Buffer) => {
        if (first) {
          first = false;
          options.onFirstBytes?.(pod);
        }
        chunks.push(chunk);
      });
      const finish = (complete: boolean) => {
        const text = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        done({ status, pod, body: text, ending: endingOf(status, text, complete), failed: false });
      };
      res.on('end', () => finish(true));
      res.on('error', () => {});
      res.on('close', () => {
        if (!res.complete) finish(false);
      });
    });
    req.end(typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body));
  });
}

function endingOf(status: number, text: string, complete: boolean): StreamEnding {
  if (status !== 200) return 'http-error';
  if (/(^|\n)event: error\n/.test(text)) return 'error-event';
  if (!complete) return 'cut';
  return text.startsWith('data:') && !text.includes('data: [DONE]') ? 'cut' : 'done';
}

/** Runs `worker` in `concurrency` loops until `until()` is true or each loop ran `maxPerLoop` times. */
export async function runLoops(
  concurrency: number,
  maxPerLoop: number,
  until: () => boolean,
  worker: (loop: number, iteration: number) => Promise<void>,
): Promise<void> {
  await Promise.all(
    Array.from({ length: concurrency }, async (_, loop) => {
      for (let i = 0; i < maxPerLoop && !until(); i++) await worker(loop, i);
    }),
  );
}
