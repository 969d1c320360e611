/**
 * The OpenAI-compatible API, as one table: each line is a method, a path and the handler
 * that parses, routes, forwards and records it. Requests for exactly a table's method and
 * path go straight to the handler (`direct-dispatch.ts`); express serves the rest.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { Errors, GatewayError } from '../api/errors.js';
import type { GatewayContext } from './context.js';
import { directDispatch, type NodeHandler } from './direct-dispatch.js';
import { inferenceHandler } from './inference-handler.js';
import { mcpHandler } from './mcp-handler.js';
import { modelsHandler } from './models-handler.js';
import { requestIdFrom } from './request-id.js';
import { sendError } from './respond.js';

type Row = [method: 'GET' | 'POST' | 'DELETE', path: string, handler: NodeHandler];

export function buildApiApp(ctx: GatewayContext): RequestListener {
  const mcp = ctx.mcp && mcpHandler(ctx, ctx.mcp);
  const table: readonly Row[] = [
    ['POST', '/v1/chat/completions', inferenceHandler('chat', ctx)],
    ['POST', '/v1/completions', inferenceHandler('completion', ctx)],
    ['POST', '/v1/embeddings', inferenceHandler('embeddings', ctx)],
    ['GET', '/v1/models', modelsHandler(ctx)],
    // MCP streamable HTTP, only when MCP servers are configured.
    ...(mcp
      ? ([
          ['POST', '/mcp', mcp],
          ['GET', '/mcp', mcp],
          ['DELETE', '/mcp', mcp],
        ] satisfies Row[])
      : []),
  ];

  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', false);
  const allowed = new Map<string, string[]>();
  for (const [method, path, handler] of table) {
    if (method === 'GET') app.get(path, handler);
    else if (method === 'DELETE') app.delete(path, handler);
    else app.post(path, handler);
    allowed.set(path, [...(allowed.get(path) ?? []), method]);
  }
  for (const [path, methods] of allowed) {
    app.all(path, (req, res) => reject(req, res, Errors.methodNotAllowed(req.method, path, methods)));
  }
  app.use((req: Request, res: Response) => reject(req, res, Errors.unknownPath(req.method, req.path)));
  const answerError = (err: unknown, req: IncomingMessage, res: ServerResponse) => {
    const status = (err as { status?: number }).status;
    const error =
      err instanceof GatewayError
        ? err
        : status && status >= 400 && status < 500
          ? Errors.badJson('the request could not be read')
          : Errors.internal();
    if (error.status >= 500) ctx.logger.error({ err }, 'unexpected error in the API app');
    reject(req, res, error);
  };
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => answerError(err, req, res));
  return directDispatch(
    table.map(([method, path, handler]) => ({ method, path, handler })),
    app,
    answerError,
  );
}

function reject(req: IncomingMessage, res: ServerResponse, error: GatewayError): void {
  res.setHeader('x-request-id', requestIdFrom(req.headers['x-request-id']));
  sendError(res, error);
}
