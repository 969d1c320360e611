/**
 * The simulator's HTTP surface as one table, like vLLM's OpenAI server:
 * inference and model routes under /v1 (behind `--api-key` when set), plus /health and
 * /metrics. Handlers throw SimError for client errors; anything else is logged and
 * answered with a 500 that reveals nothing.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { embeddingsHandler } from './embeddings-handler.js';
import { generateHandler } from './generate-handler.js';
import { sendError, sendJson } from './http-io.js';
import { modelList } from './responses.js';
import type { SimContext } from './sim-context.js';
import { SimError, SimErrors } from './sim-errors.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export function buildSimApp(ctx: SimContext): (req: IncomingMessage, res: ServerResponse) => void {
  const table: readonly [method: 'GET' | 'POST', path: string, handler: Handler][] = [
    ['POST', '/v1/chat/completions', generateHandler('chat', ctx)],
    ['POST', '/v1/completions', generateHandler('completion', ctx)],
    ['POST', '/v1/embeddings', embeddingsHandler(ctx)],
    [
      'GET',
      '/v1/models',
      (_req, res) => sendJson(res, 200, modelList(ctx.options.models, ctx.startedAt, ctx.maxModelLen)),
    ],
    ['GET', '/health', (_req, res) => sendJson(res, 200, {})],
    ['GET', '/metrics', metricsHandler(ctx)],
  ];
  const routes = new Map<string, Map<string, Handler>>();
  for (const [method, path, handler] of table) {
    const byMethod = routes.get(path) ?? new Map<string, Handler>();
    byMethod.set(method, handler);
    routes.set(path, byMethod);
  }

  return function simApp(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0]!;
    const method = req.method ?? 'GET';
    const byMethod = routes.get(path);
    void (async () => {
      if (!byMethod) throw SimErrors.unknownPath(method, path);
      const handler = byMethod.get(method);
      if (!handler) throw SimErrors.methodNotAllowed(method, path, [...byMethod.keys()].join(', '));
      if (path.startsWith('/v1/') && !authorized(ctx, req)) throw SimErrors.unauthorized();
      await handler(req, res);
    })().catch((err: unknown) => {
      if (err instanceof SimError) {
        sendError(res, err);
        return;
      }
      // The client left mid-request. (Not `req.destroyed`: a request read to its end is
      // destroyed too, and checking it left every unexpected error unanswered.)
      if (res.destroyed) return;
      ctx.logger.error({ err }, 'simulator request failed');
      // A stream that already started cannot turn into an error response: cut it.
      if (res.headersSent) res.destroy();
      else sendError(res, SimErrors.internal());
    });
  };
}

function authorized(ctx: SimContext, req: IncomingMessage): boolean {
  const key = ctx.options.apiKey;
  if (!key) return true;
  const given = Buffer.from(req.headers.authorization ?? '');
  const wanted = Buffer.from(`Bearer ${key}`);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

function metricsHandler(ctx: SimContext): Handler {
  return async (_req, res) => {
    const text = await ctx.metrics.registry.metrics();
    res.writeHead(200, { 'content-type': ctx.metrics.registry.contentType });
    res.end(text);
  };
}
