import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayContext } from './context.js';
import { sendJson } from './respond.js';

/** `GET /v1/models`: the configured models in OpenAI's list shape. */
export function modelsHandler(ctx: GatewayContext) {
  return function listModels(_req: IncomingMessage, res: ServerResponse): void {
    const data = ctx.resolver.listModels().map((m) => ({
      id: m.id,
      object: 'model',
      created: m.created,
      owned_by: m.ownedBy,
    }));
    sendJson(res, 200, { object: 'list', data });
  };
}
