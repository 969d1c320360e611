/**
 * The prefill step of disaggregated prefill/decode, in vLLM's NixlConnector protocol:
 *
 * 1. `prefillBody`: the client's request with `max_tokens: 1` (and `max_completion_tokens:
 *    1` when set), no streaming, and `kv_transfer_params: {"do_remote_decode": true}`.
 * 2. `runPrefill` sends it to the prefill engine and waits for the whole (small) JSON
 *    answer, whose `kv_transfer_params` say where the computed KV blocks are.
 * 3. `decodeBody`: the client's request, unchanged but for those `kv_transfer_params`, for
 *    the decode engine, which pulls the KV instead of computing it; its response is then
 *    relayed to the client as usual (`forward`).
 *
 * `runPrefill` rejects with an `UpstreamError` when the engine cannot be reached or its
 * answer breaks off or stalls (bounded by the connect, first-byte and idle timeouts, so
 * never a hang), and resolves with `ok: false` when it answered with an error status or
 * without usable `kv_transfer_params`; nothing reaches the client in either case.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { EndpointSpec, Timeouts } from '../config/model.js';
import { callUpstream, readText } from './upstream-call.js';
import { UpstreamError } from './upstream-error.js';

const MAX_PREFILL_BODY_BYTES = 16 * 1024 * 1024;

export function prefillBody(body: Readonly<Record<string, unknown>>): Buffer {
  const prefill: Record<string, unknown> = { ...body, max_tokens: 1, stream: false };
  if (prefill['max_completion_tokens'] !== undefined) prefill['max_completion_tokens'] = 1;
  delete prefill['stream_options'];
  delete prefill['min_tokens'];
  prefill['kv_transfer_params'] = { do_remote_decode: true };
  return Buffer.from(JSON.stringify(prefill));
}

export function decodeBody(
  body: Readonly<Record<string, unknown>>,
  kvTransferParams: Readonly<Record<string, unknown>>,
): Buffer {
  return Buffer.from(JSON.stringify({ ...body, kv_transfer_params: kvTransferParams }));
}

export interface PrefillCall {
  readonly endpoint: EndpointSpec;
  readonly path: string;
  readonly body: Buffer;
  readonly headers: OutgoingHttpHeaders;
  readonly timeouts: Pick<Timeouts, 'connectMs' | 'firstByteMs' | 'idleMs'>;
  readonly signal: AbortSignal;
}

export type PrefillResult =
  | { readonly ok: true; readonly kvTransferParams: Record<string, unknown>; readonly durationMs: number }
  | {
      readonly ok: false;
      /** The engine's status (200 when it answered without usable parameters). */
      readonly status: number;
      /** The engine's body, parsed when it was JSON. */
      readonly json: unknown;
      readonly problem: string;
      readonly durationMs: number;
    };

export async function runPrefill(call: PrefillCall): Promise<PrefillResult> {
  const startedAt = performance.now();
  const upstream = await callUpstream({
    endpoint: call.endpoint,
    method: 'POST',
    path: call.path,
    headers: { ...call.headers, 'content-length': String(call.body.length), accept: 'application/json' },
    body: call.body,
    connectTimeoutMs: call.timeouts.connectMs,
    firstByteTimeoutMs: call.timeouts.firstByteMs,
    idleTimeoutMs: call.timeouts.idleMs,
    signal: call.signal,
  });
  const status = upstream.statusCode;
  const text = await readText(
    upstream,
    MAX_PREFILL_BODY_BYTES,
    () => new UpstreamError('interrupted', call.endpoint.id, false),
  );
  const durationMs = performance.now() - startedAt;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (status < 200 || status > 299) {
    return { ok: false, status, json, problem: `the prefill endpoint answered ${status}`, durationMs };
  }
  const params = (json as { kv_transfer_params?: unknown } | undefined)?.kv_transfer_params;
  if (params === null || typeof params !== 'object' || Array.isArray(params)) {
    return {
      ok: false,
      status,
      json,
      problem: 'the prefill endpoint returned no kv_transfer_params (is it running with a KV connector?)',
      durationMs,
    };
  }
  return { ok: true, kvTransferParams: params as Record<string, unknown>, durationMs };
}
