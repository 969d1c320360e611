/** The admin port: `/health` for load balancers and `/metrics` for Prometheus. */
import express, { type Express } from 'express';
import { Errors } from '../api/errors.js';
import type { GatewayContext } from './context.js';
import { sendError, sendJson } from './respond.js';

export function buildAdminApp(ctx: GatewayContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/health', (_req, res) => {
    if (ctx.lifecycle.draining) sendJson(res, 503, { status: 'draining', inFlight: ctx.lifecycle.inFlight });
    else sendJson(res, 200, { status: 'ok' });
  });
  app.get('/metrics', async (_req, res) => {
    try {
      const text = await ctx.metrics.registry.metrics();
      res.writeHead(200, { 'content-type': ctx.metrics.registry.contentType });
      res.end(text);
    } catch (err) {
      ctx.logger.error({ err }, 'collecting metrics failed');
      sendError(res, Errors.internal());
    }
  });
  app.use((req, res) => sendError(res, Errors.unknownPath(req.method, req.path)));
  return app;
}
