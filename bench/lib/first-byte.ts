/**
 * Time to first byte of streamed answers, as a client sees it: one request at a time over
 * a kept-alive connection, timing from the moment the request is written until the first
 * byte of the response body (the first SSE event; headers alone do not count) and until
 * the last.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';

export interface FirstByteTimes {
  /** Milliseconds from sending to the first body byte, one per request, in order. */
  readonly firstByteMs: readonly number[];
  /** Milliseconds from sending to the end of the body. */
  readonly totalMs: readonly number[];
  readonly errors: number;
}

export interface StreamRequest {
  readonly url: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

export async function measureFirstByte(request: StreamRequest, count: number): Promise<FirstByteTimes> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const firstByteMs: number[] = [];
  const totalMs: number[] = [];
  let errors = 0;
  try {
    for (let i = 0; i < count; i++) {
      try {
        const t = await once(request, agent);
        firstByteMs.push(t.firstByteMs);
        totalMs.push(t.totalMs);
      } catch {
        errors++;
      }
    }
  } finally {
    agent.destroy();
  }
  return { firstByteMs, totalMs, errors };
}

function once(request: StreamRequest, agent: http.Agent): Promise<{ firstByteMs: number; totalMs: number }> {
  return new Promise((resolve, reject) => {
    const body = Buffer.from(request.body);
    const req = http.request(request.url, {
      method: 'POST',
      agent,
      headers: { ...request.headers, 'content-length': body.length },
    });
    let sentAt = 0;
    req.once('error', reject);
    req.once('response', (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`status ${res.statusCode}`));
        return;
      }
      let firstByteAt: number | undefined;
      res.on('data', () => {
        firstByteAt ??= performance.now();
      });
      res.once('end', () => {
        const endAt = performance.now();
        if (firstByteAt === undefined) reject(new Error('empty body'));
        else resolve({ firstByteMs: firstByteAt - sentAt, totalMs: endAt - sentAt });
      });
      res.once('error', reject);
    });
    sentAt = performance.now();
    req.end(body);
  });
}
