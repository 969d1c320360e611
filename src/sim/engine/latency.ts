/**
 * The latency model, in engine milliseconds. Every formula the README documents lives here.
 *
 *   prefill(seq)    = uncachedPromptTokens * prefillMsPerToken        (serialized: one prefill at a time)
 *   transfer(seq)   = uncachedPromptTokens * kvTransferMsPerToken     (decode engine pulling remote KV)
 *   firstToken(seq) = max(admittedAt, previous prefill's end) + prefill + ttftOverheadMs
 *   tpot(batch)     = decodeMsPerToken * (1 + (batch - 1) / maxNumSeqs)
 */

export interface LatencyModel {
  readonly prefillMsPerToken: number;
  readonly decodeMsPerToken: number;
  readonly ttftOverheadMs: number;
  readonly kvTransferMsPerToken: number;
  readonly maxNumSeqs: number;
}

/** Compute time to prefill `tokens` prompt tokens. */
export function prefillMs(model: LatencyModel, tokens: number): number {
  return tokens * model.prefillMsPerToken;
}

/** Time for a decode engine to pull the KV of `tokens` prompt tokens from a prefill engine. */
export function transferMs(model: LatencyModel, tokens: number): number {
  return tokens * model.kvTransferMsPerToken;
}

/**
 * Time between two output tokens of one sequence when `batch` sequences share the engine:
 * the base cost at batch 1, twice that with every slot full.
 */
export function tpotMs(model: LatencyModel, batch: number): number {
  return model.decodeMsPerToken * (1 + (Math.max(batch, 1) - 1) / model.maxNumSeqs);
}
