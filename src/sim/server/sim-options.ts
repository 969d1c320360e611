/**
 * Everything one simulated engine is configured with. The CLI (`switchyard sim`) and the
 * embedded fleet both build a `SimOptions`; the defaults describe a small real GPU engine
 * (an 8B model on one 24 GB card).
 */

export type SimRole = 'both' | 'prefill' | 'decode';

export const SIM_ROLES: readonly SimRole[] = ['both', 'prefill', 'decode'];

export interface SimOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Served model names; the first one labels the metrics, as in vLLM. */
  readonly models: readonly string[];
  readonly role: SimRole;
  /** Batch slots; more requests wait in the queue. */
  readonly maxNumSeqs: number;
  readonly kvBlocks: number;
  /** Tokens per KV block. */
  readonly blockSize: number;
  /** Longest prompt + answer accepted; also capped by the KV cache size. */
  readonly maxModelLen: number;
  readonly prefillMsPerToken: number;
  /** Time per output token with one sequence in the batch; doubles with every slot full. */
  readonly decodeMsPerToken: number;
  readonly ttftOverheadMs: number;
  readonly kvTransferMsPerToken: number;
  /** Multiplies every delay (0.01 runs a hundred times faster); metrics stay in engine time. */
  readonly timeScale: number;
  readonly seed: number;
  /** Fraction of requests answered with `failureStatus`, 0..1. */
  readonly failureRate: number;
  readonly failureStatus: number;
  /** When set, /v1/* requires `Authorization: Bearer <apiKey>`. */
  readonly apiKey?: string;
}

export const DEFAULT_SIM_MODEL = 'Qwen/Qwen3-8B';

export const DEFAULT_SIM_OPTIONS: SimOptions = {
  host: '0.0.0.0',
  port: 8000,
  models: [DEFAULT_SIM_MODEL],
  role: 'both',
  maxNumSeqs: 256,
  kvBlocks: 4096,
  blockSize: 16,
  maxModelLen: 32_768,
  prefillMsPerToken: 0.15,
  decodeMsPerToken: 15,
  ttftOverheadMs: 15,
  kvTransferMsPerToken: 0.02,
  timeScale: 1,
  seed: 0,
  failureRate: 0,
  failureStatus: 500,
};

/** Problems with `options`, as sentences naming the flag; empty when all is well. */
export function simOptionProblems(o: SimOptions): string[] {
  const problems: string[] = [];
  const int = (value: number, flag: string, min: number) => {
    if (!Number.isInteger(value) || value < min) problems.push(`--${flag} must be an integer >= ${min}`);
  };
  const nonNegative = (value: number, flag: string) => {
    if (!(value >= 0) || !Number.isFinite(value)) problems.push(`--${flag} must be a number >= 0`);
  };
  if (o.models.length === 0 || o.models.some((m) => !m.trim())) problems.push('--model must not be empty');
  if (!SIM_ROLES.includes(o.role)) problems.push(`--role must be one of ${SIM_ROLES.join(', ')}`);
  int(o.maxNumSeqs, 'max-num-seqs', 1);
  int(o.kvBlocks, 'kv-blocks', 1);
  int(o.blockSize, 'block-size', 1);
  int(o.maxModelLen, 'max-model-len', 2);
  nonNegative(o.prefillMsPerToken, 'prefill-ms-per-token');
  nonNegative(o.decodeMsPerToken, 'decode-ms-per-token');
  nonNegative(o.ttftOverheadMs, 'ttft-overhead-ms');
  nonNegative(o.kvTransferMsPerToken, 'kv-transfer-ms-per-token');
  if (!(o.timeScale > 0) || !Number.isFinite(o.timeScale)) problems.push('--time-scale must be a number > 0');
  if (!Number.isInteger(o.seed)) problems.push('--seed must be an integer');
  if (!(o.failureRate >= 0 && o.failureRate <= 1)) problems.push('--failure-rate must be between 0 and 1');
  if (!Number.isInteger(o.failureStatus) || o.failureStatus < 400 || o.failureStatus > 599) {
    problems.push('--failure-status must be an HTTP error status, 400-599');
  }
  return problems;
}
