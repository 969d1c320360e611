/**
 * `switchyard traffic`: the lab's traffic generator. A steady, seeded mix of requests
 * (shared-prefix chats, multi-turn conversations with `x-session-id`, streams, a
 * prefill/decode model, embeddings, completions and a few errors, each with an
 * `x-tenant-id`) against a gateway or Envoy, bounded by `--duration` and/or `--count`.
 */
import { createLogger, type Logger } from '../telemetry/logger.js';
import { httpRequest, readText } from '../traffic/http-request.js';
import { runTraffic, type TrafficReport } from '../traffic/traffic-run.js';
import { type FlagSpec, LOG_LEVEL_FLAG, formatHelp, parseCommand } from './flags.js';
import { UsageError } from './usage-error.js';

export const TRAFFIC_FLAGS: readonly FlagSpec[] = [
  {
    name: 'target',
    type: 'string',
    default: 'http://127.0.0.1:10080',
    value: 'URL',
    help: 'Base URL to send to: Envoy (the lab listener) or a gateway.',
  },
  {
    name: 'rate',
    type: 'number',
    default: 2,
    value: 'PER_S',
    help: 'New requests (or conversations) per second.',
  },
  {
    name: 'duration',
    type: 'duration',
    default: 60_000,
    value: 'DURATION',
    help: 'Stop after this long (1m, 8h; 0: no time limit, then --count is needed).',
  },
  { name: 'count', type: 'int', default: 0, value: 'N', help: 'Stop after N requests (0: no limit).' },
  {
    name: 'seed',
    type: 'int',
    default: 0,
    value: 'N',
    help: 'Seed of the mix: the same seed sends the same requests.',
  },
  {
    name: 'concurrency',
    type: 'int',
    default: 32,
    value: 'N',
    help: 'Most jobs (a conversation is one) at once.',
  },
  {
    name: 'think-scale',
    type: 'number',
    default: 1,
    value: 'X',
    help: "Multiply the conversations' pauses between turns (about 1.5 s each) by X.",
  },
  {
    name: 'model',
    type: 'string',
    value: 'NAME',
    help: 'Model for chats, embeddings and completions (default: the first one the target lists).',
  },
  {
    name: 'pd-model',
    type: 'string',
    value: 'NAME',
    help: 'Model for the prefill/decode share (default: the second one the target lists, if any).',
  },
  {
    name: 'tenants',
    type: 'string',
    default: 'tenant-a,tenant-b,tenant-c',
    value: 'LIST',
    help: 'x-tenant-id values, comma-separated; earlier ones send more.',
  },
  {
    name: 'stream-share',
    type: 'number',
    default: 0.5,
    value: 'X',
    help: 'Share of chats and completions streamed (0-1).',
  },
  {
    name: 'error-share',
    type: 'number',
    default: 0.05,
    value: 'X',
    help: 'Share of deliberate errors: an unknown model (404) or an invalid body (400) (0-1).',
  },
  {
    name: 'wait',
    type: 'duration',
    default: 60_000,
    value: 'DURATION',
    help: 'How long to wait for the target to list its models at start.',
  },
  {
    name: 'report-every',
    type: 'duration',
    default: 10_000,
    value: 'DURATION',
    help: 'Interval of the progress log line.',
  },
  LOG_LEVEL_FLAG,
];

const SUMMARY = `Send a steady, seeded mix of requests for the lab: shared-prefix chats and multi-turn
conversations (from the bench workloads, with x-session-id), streams, the prefill/decode
model, embeddings, completions and a few errors, from several tenants (x-tenant-id).`;

export function trafficHelp(): string {
  return formatHelp(
    'switchyard traffic [--target URL] [--rate N] [--duration D | --count N]',
    SUMMARY,
    TRAFFIC_FLAGS,
  );
}

export async function trafficCommand(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const parsed = parseCommand(argv, TRAFFIC_FLAGS, env, 0);
  if (parsed.help) {
    process.stdout.write(trafficHelp());
    return 0;
  }
  const f = parsed.flags;
  const target = (f['target'] as string).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+/.test(target))
    throw new UsageError(`invalid value "${target}" for --target: expected http(s)://host:port`);
  const rate = f['rate'] as number;
  if (!(rate > 0)) throw new UsageError('--rate must be a number > 0');
  const durationMs = f['duration'] as number;
  const count = f['count'] as number;
  if (count < 0) throw new UsageError('--count must be 0 or more');
  if (durationMs === 0 && count === 0)
    throw new UsageError('give --duration or --count: the traffic must end');
  const concurrency = f['concurrency'] as number;
  const thinkScale = f['think-scale'] as number;
  if (!(thinkScale >= 0)) throw new UsageError('--think-scale must be a number >= 0');
  if (concurrency < 1) throw new UsageError('--concurrency must be at least 1');
  const share = (name: string) => {
    const value = f[name] as number;
    if (!(value >= 0 && value <= 1)) throw new UsageError(`--${name} must be between 0 and 1`);
    return value;
  };
  const tenants = (f['tenants'] as string)
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  if (!tenants.length) throw new UsageError('--tenants needs at least one value');
  const streamShare = share('stream-share');
  const errorShare = share('error-share');
  const logger = createLogger({ level: f['log-level'] as string });

  let listed: string[];
  try {
    listed = await listModels(target, f['wait'] as number, logger);
  } catch (err) {
    if (!(err instanceof TargetError)) throw err;
    process.stderr.write(`switchyard traffic: ${err.message}\n`);
    return 1;
  }
  const model = (f['model'] as string | undefined) ?? listed[0];
  if (!model) throw new UsageError(`${target}/v1/models lists no model; pass --model`);
  const pdModel = (f['pd-model'] as string | undefined) ?? listed.find((m) => m !== model);

  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  logger.info(
    { target, model, pdModel, rate, durationMs, count, seed: f['seed'], tenants, streamShare, errorShare },
    'traffic starting',
  );
  const last = await runTraffic({
    target: { url: target, model, ...(pdModel ? { pdModel } : {}) },
    rate,
    durationMs,
    count,
    concurrency,
    thinkScale,
    seed: f['seed'] as number,
    tenants,
    streamShare,
    errorShare,
    reportEveryMs: f['report-every'] as number,
    signal: abort.signal,
    report: (r: TrafficReport) => logger.info(r, r.done ? 'traffic done' : 'traffic'),
  });
  process.off('SIGTERM', stop);
  process.off('SIGINT', stop);
  logger.flush();
  // Answers were expected to fail sometimes; only a target that never answered is a failure.
  return last.sent > 0 && (last.statuses['0'] ?? 0) === last.sent ? 1 : 0;
}

/** The target's model ids, retried until it answers (the lab starts it beside us). */
async function listModels(target: string, waitMs: number, logger: Logger): Promise<string[]> {
  const deadline = Date.now() + waitMs;
  let last = '';
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await httpRequest(`${target}/v1/models`, {
        method: 'GET',
        signal: AbortSignal.timeout(5000),
      });
      const text = await readText(res);
      if (res.statusCode === 200) {
        const body = JSON.parse(text) as { data?: { id: string }[] };
        return (body.data ?? []).map((m) => m.id);
      }
      last = `answered ${res.statusCode}`;
    } catch (err) {
      last = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    }
    if (Date.now() >= deadline)
      throw new TargetError(`${target}/v1/models did not answer within ${waitMs} ms (${last})`);
    if (attempt === 0) logger.info({ target, problem: last }, 'waiting for the target to list its models');
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The target never answered: one line, exit 1. */
class TargetError extends Error {}
