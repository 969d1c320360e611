/**
 * Disaggregated prefill/decode in the style of vLLM's NixlConnector, carried in the
 * request and response field `kv_transfer_params`:
 *
 * 1. The router sends the request to a prefill engine with
 *    `kv_transfer_params: {"do_remote_decode": true}` (and usually `max_tokens: 1`).
 *    The engine computes the prompt's KV, answers with one token, and returns
 *    `kv_transfer_params: {do_remote_prefill: true, do_remote_decode: false,
 *    remote_block_ids, remote_engine_id, remote_request_id, remote_host, remote_port, tp_size}`.
 * 2. The router sends the original request to a decode engine with those parameters.
 *    The decode engine pulls the KV (paying `--kv-transfer-ms-per-token` for each prompt
 *    token it does not already cache) instead of computing it, then decodes as usual.
 *
 * An engine only honours the side it plays: `prefill` the first step, `decode` the
 * second; `both` ignores the parameters (a vLLM engine without a KV connector).
 * `remote_port` is the simulated engine's HTTP port: there is no separate side channel.
 */

import { SimErrors } from './sim-errors.js';
import type { SimRole } from './sim-options.js';

export type KvTransferPlan =
  /** Serve normally. */
  | { readonly kind: 'none' }
  /** Prefill engine: compute the prompt, answer one token, hand the KV over. */
  | { readonly kind: 'produce' }
  /** Decode engine: take the prompt's KV from `engineId` instead of computing it. */
  | { readonly kind: 'consume'; readonly engineId: string; readonly blockIds: readonly number[] };

export function planKvTransfer(
  role: SimRole,
  params: Readonly<Record<string, unknown>> | undefined,
): KvTransferPlan {
  if (!params) return { kind: 'none' };
  if (role === 'prefill' && params['do_remote_decode'] === true) return { kind: 'produce' };
  if (role === 'decode' && params['do_remote_prefill'] === true) {
    const engineId = params['remote_engine_id'];
    const blockIds = params['remote_block_ids'];
    if (typeof engineId !== 'string' || !engineId) {
      throw SimErrors.invalid(
        'kv_transfer_params.remote_engine_id',
        'expected the prefill engine id (a string)',
      );
    }
    if (!Array.isArray(blockIds) || !blockIds.every((b) => Number.isInteger(b) && b >= 0)) {
      throw SimErrors.invalid('kv_transfer_params.remote_block_ids', 'expected an array of block ids');
    }
    return { kind: 'consume', engineId, blockIds: blockIds as number[] };
  }
  return { kind: 'none' };
}

export interface ProducedKv {
  readonly engineId: string;
  readonly requestId: string;
  readonly blockIds: readonly number[];
  readonly host: string;
  readonly port: number;
}

/** The `kv_transfer_params` a prefill engine returns, with vLLM's NixlConnector field names. */
export function producedParams(kv: ProducedKv): Record<string, unknown> {
  return {
    do_remote_prefill: true,
    do_remote_decode: false,
    remote_block_ids: kv.blockIds,
    remote_engine_id: kv.engineId,
    remote_request_id: kv.requestId,
    remote_host: kv.host,
    remote_port: kv.port,
    tp_size: 1,
  };
}
