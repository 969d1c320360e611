/**
 * `switchyard sim`: one simulated vLLM engine per process, for demos, tests and routing
 * benchmarks without a GPU. Flags map one to one onto `SimOptions`.
 */
import {
  DEFAULT_SIM_OPTIONS as D,
  SIM_ROLES,
  type SimOptions,
  simOptionProblems,
} from '../sim/server/sim-options.js';
import { SimListenError, SimServer } from '../sim/server/sim-server.js';
import { createLogger } from '../telemetry/logger.js';
import { type FlagSpec, LOG_LEVEL_FLAG, formatHelp, parseCommand } from './flags.js';
import { UsageError } from './usage-error.js';

export const SIM_FLAGS: readonly FlagSpec[] = [
  {
    name: 'port',
    type: 'port',
    default: D.port,
    help: 'Port to serve on (0 picks a free one; the log line says which).',
  },
  { name: 'host', type: 'string', default: D.host, value: 'ADDR', help: 'Address to listen on.' },
  {
    name: 'model',
    type: 'strings',
    value: 'NAME',
    help: `Served model name; repeat for aliases (the first labels the metrics). Default ${D.models[0]}.`,
  },
  {
    name: 'role',
    type: 'string',
    default: D.role,
    choices: SIM_ROLES,
    value: 'ROLE',
    help: 'both, prefill or decode: which side of vLLM-style disaggregated serving this engine plays.',
  },
  {
    name: 'max-num-seqs',
    type: 'int',
    default: D.maxNumSeqs,
    value: 'N',
    help: 'Batch slots; further requests wait in a FIFO queue.',
  },
  { name: 'kv-blocks', type: 'int', default: D.kvBlocks, value: 'N', help: 'KV-cache blocks.' },
  { name: 'block-size', type: 'int', default: D.blockSize, value: 'N', help: 'Tokens per KV-cache block.' },
  {
    name: 'max-model-len',
    type: 'int',
    default: D.maxModelLen,
    value: 'N',
    help: 'Longest prompt + answer in tokens (also capped by kv-blocks x block-size); longer is a 400.',
  },
  {
    name: 'prefill-ms-per-token',
    type: 'number',
    default: D.prefillMsPerToken,
    value: 'MS',
    help: 'Prefill time per uncached prompt token.',
  },
  {
    name: 'decode-ms-per-token',
    type: 'number',
    default: D.decodeMsPerToken,
    value: 'MS',
    help: 'Time per output token with one sequence running; x(1 + (running-1)/max-num-seqs) as the batch fills.',
  },
  {
    name: 'ttft-overhead-ms',
    type: 'number',
    default: D.ttftOverheadMs,
    value: 'MS',
    help: 'Fixed time added to every first token.',
  },
  {
    name: 'kv-transfer-ms-per-token',
    type: 'number',
    default: D.kvTransferMsPerToken,
    value: 'MS',
    help: 'Decode role: time per prompt token to pull KV from the prefill engine.',
  },
  {
    name: 'time-scale',
    type: 'number',
    default: D.timeScale,
    value: 'X',
    help: 'Multiply every delay by X (0.01 = 100x faster); metrics stay in engine time.',
  },
  {
    name: 'seed',
    type: 'int',
    default: D.seed,
    value: 'N',
    help: 'Seed for answers, answer lengths and injected failures.',
  },
  {
    name: 'failure-rate',
    type: 'number',
    default: D.failureRate,
    value: 'P',
    help: 'Fraction of requests (0-1) answered with --failure-status instead (seeded).',
  },
  {
    name: 'failure-status',
    type: 'int',
    default: D.failureStatus,
    value: 'CODE',
    help: 'HTTP status of injected failures (400-599).',
  },
  {
    name: 'api-key',
    type: 'string',
    env: 'VLLM_API_KEY',
    value: 'KEY',
    help: 'Require "Authorization: Bearer KEY" on /v1/* (as vllm serve --api-key).',
  },
  LOG_LEVEL_FLAG,
];

const SUMMARY = `Run one simulated vLLM engine: an OpenAI-compatible server (/v1/chat/completions,
/v1/completions, /v1/embeddings, /v1/models, /health, /metrics) whose latency, batching,
queueing and prefix cache behave like a small GPU engine. Output text is deterministic.`;

const FOOTER = `Latency model (engine ms; see README "Simulator"):
  first token = queue wait + prefill wait + uncached prompt tokens x prefill-ms-per-token + ttft-overhead-ms
  (decode role given kv_transfer_params: uncached prompt tokens x kv-transfer-ms-per-token instead of prefill)
  next tokens = decode-ms-per-token x (1 + (running - 1) / max-num-seqs) each`;

export function simHelp(): string {
  return formatHelp('switchyard sim [options]', SUMMARY, SIM_FLAGS, FOOTER);
}

/** `SimOptions` from parsed flags; throws UsageError naming the first bad value. */
export function simOptionsFromFlags(f: Record<string, unknown>): SimOptions {
  const apiKey = f['api-key'] as string | undefined;
  const options: SimOptions = {
    host: f['host'] as string,
    port: f['port'] as number,
    models: (f['model'] as string[] | undefined) ?? D.models,
    role: f['role'] as SimOptions['role'],
    maxNumSeqs: f['max-num-seqs'] as number,
    kvBlocks: f['kv-blocks'] as number,
    blockSize: f['block-size'] as number,
    maxModelLen: f['max-model-len'] as number,
    prefillMsPerToken: f['prefill-ms-per-token'] as number,
    decodeMsPerToken: f['decode-ms-per-token'] as number,
    ttftOverheadMs: f['ttft-overhead-ms'] as number,
    kvTransferMsPerToken: f['kv-transfer-ms-per-token'] as number,
    timeScale: f['time-scale'] as number,
    seed: f['seed'] as number,
    failureRate: f['failure-rate'] as number,
    failureStatus: f['failure-status'] as number,
    ...(apiKey ? { apiKey } : {}),
  };
  const problems = simOptionProblems(options);
  if (problems.length > 0) throw new UsageError(problems[0]!);
  return options;
}

export async function simCommand(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const parsed = parseCommand(argv, SIM_FLAGS, env, 0);
  if (parsed.help) {
    process.stdout.write(simHelp());
    return 0;
  }
  const options = simOptionsFromFlags(parsed.flags);
  const logger = createLogger({ level: parsed.flags['log-level'] as string });
  let server: SimServer;
  try {
    server = await SimServer.start(options, logger);
  } catch (err) {
    if (err instanceof SimListenError) throw new UsageError(err.message);
    throw err;
  }
  logger.info(
    {
      port: server.port,
      host: options.host,
      models: options.models,
      role: options.role,
      engineId: server.context.engineId,
      maxNumSeqs: options.maxNumSeqs,
      kvBlocks: options.kvBlocks,
      blockSize: options.blockSize,
      timeScale: options.timeScale,
    },
    'sim listening',
  );
  return new Promise((resolve) => {
    const stop = async (signal: string) => {
      logger.info({ signal }, 'sim stopping');
      await server.close();
      logger.flush();
      resolve(0);
    };
    process.once('SIGTERM', () => void stop('SIGTERM'));
    process.once('SIGINT', () => void stop('SIGINT'));
  });
}
