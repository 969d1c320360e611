/** Reading request bodies and writing JSON and server-sent events, for the simulator. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type SimError, SimErrors } from './sim-errors.js';

export const MAX_BODY_BYTES = 64 * 1024 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads and parses a JSON object body. Rejects with a 4xx SimError, or a plain Error if the client left. */
export async function readJsonObject(
  req: IncomingMessage,
  limit = MAX_BODY_BYTES,
): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw SimErrors.bodyTooLarge(limit);
    chunks.push(chunk);
  }
  const raw = Buffer.concat(chunks, size);
  if (raw.length === 0) throw SimErrors.badJson('the body is empty');
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(raw));
  } catch (err) {
    throw SimErrors.badJson(
      err instanceof TypeError ? 'the body is not valid UTF-8' : (err as Error).message,
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw SimErrors.badJson('the body must be a JSON object');
  }
  if (nestedDeeperThan(value, MAX_JSON_DEPTH)) {
    throw SimErrors.badJson(`the JSON is nested more than ${MAX_JSON_DEPTH} levels deep`);
  }
  return value as Record<string, unknown>;
}

/** Deepest nesting accepted: serialising or walking deeper values would overflow the stack. */
export const MAX_JSON_DEPTH = 128;

/**
 * True when `value` nests arrays/objects more than `limit` levels deep (no recursion). The
 * gateway's parser has the same check; the simulator keeps its own, as it shares only
 * types with the gateway.
 */
function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > limit) return true;
    const children = Array.isArray(node) ? node : Object.values(node as object);
    for (const child of children)
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

export function sendError(res: ServerResponse, err: SimError): void {
  if (err.status === 413) res.setHeader('connection', 'close');
  sendJson(res, err.status, err.toBody(), { ...err.headers });
}

/** Starts an SSE response (`text/event-stream`), as vLLM's StreamingResponse does: headers at once. */
export function startEventStream(res: ServerResponse): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'x-accel-buffering': 'no',
  });
  res.flushHeaders();
}

/** One `data: <json>` event per value, written in one go. */
export function writeEvents(res: ServerResponse, values: readonly unknown[]): void {
  if (res.destroyed || res.writableEnded) return;
  let text = '';
  for (const value of values) text += `data: ${JSON.stringify(value)}\n\n`;
  res.write(text);
}

export function endEventStream(res: ServerResponse): void {
  if (res.destroyed || res.writableEnded) return;
  res.end('data: [DONE]\n\n');
}
