import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayContext } from './context.js';
import { sendJson } from './respond.js';
import { UpstreamModels } from './upstream-models.js';

/**
 * `GET /v1/models`: the configured models in OpenAI's list shape, plus what the upstream of
 * a route that asks for it reports (env auto-config), fetched with a short timeout and cached.
 */
export function modelsHandler(ctx: GatewayContext) {
  const upstream = new UpstreamModels(ctx);
  return function listModels(_req: IncomingMessage, res: ServerResponse): void {
    void upstream.collect(ctx.resolver.routes).then((lists) => {
      const data = ctx.resolver.listModels(lists).map((m) => ({
        id: m.id,
        object: 'model',
        created: m.created,
        owned_by: m.ownedBy,
      }));
      if (!res.destroyed) sendJson(res, 200, { object: 'list', data });
    });
  };
}
