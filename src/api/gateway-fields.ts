/**
 * Body fields only the gateway may write. `kv_transfer_params` tells a vLLM decode engine
 * where to pull KV-cache blocks from (a host and port, in the NixlConnector protocol): a
 * client that could set it could make an engine connect to any address. The gateway
 * removes it from every client request; pd routing writes its own from the prefill answer.
 */
import type { InferenceRequest } from './inference-request.js';

export const GATEWAY_ONLY_FIELDS: readonly string[] = ['kv_transfer_params'];

/** `request` without the gateway-only fields; the same object when it had none (the usual case). */
export function withoutGatewayFields(request: InferenceRequest): InferenceRequest {
  if (!GATEWAY_ONLY_FIELDS.some((field) => Object.hasOwn(request.body, field))) return request;
  const body: Record<string, unknown> = { ...request.body };
  for (const field of GATEWAY_ONLY_FIELDS) delete body[field];
  const text = JSON.stringify(body);
  return { ...request, body, text, raw: Buffer.from(text) };
}
