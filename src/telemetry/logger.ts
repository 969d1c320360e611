/**
 * Structured JSON logs (pino), written asynchronously so logging never blocks a request,
 * and in batches (`log-batcher.ts`): lines are written when 4 KiB have collected, after
 * 100 ms otherwise, and at exit. One write per access-log line cost a busy gateway more
 * than the line's formatting; a line now reaches stdout at most 100 ms after it was logged. When stdout is a terminal the lines are pretty-printed instead.
 * Secrets never reach a log: headers are not logged, and known secret fields are redacted
 * as a second line of defence.
 */
import pino, { type Logger } from 'pino';
import { LogBatcher } from './log-batcher.js';

export type { Logger };

export interface LoggerOptions {
  readonly level?: string;
  readonly pretty?: boolean;
  /** Write synchronously (tests that read logs right after an event, CLIs that exit). */
  readonly sync?: boolean;
}

/** Bytes collected before a write, and the longest a line waits (see above). */
export const LOG_BATCH_BYTES = 4096;
export const LOG_FLUSH_MS = 100;

export const REDACTED_PATHS = [
  'headers.authorization',
  'headers["api-key"]',
  'headers["x-api-key"]',
  'apiKey',
  'api_key',
  'secret',
  '*.apiKey',
  '*.secret',
];

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env['SWITCHYARD_LOG_LEVEL'] ?? 'info';
  const base = {
    level,
    base: { service: 'switchyard' },
    redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  const pretty = options.pretty ?? Boolean(process.stdout.isTTY);
  if (pretty) {
    return pino({
      ...base,
      transport: {
        target: 'pino-pretty',
        options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' },
      },
    });
  }
  if (options.sync) return pino(base, pino.destination({ dest: 1, sync: true }));
  const destination = pino.destination({ dest: 1, sync: false });
  const batcher = new LogBatcher(destination, LOG_BATCH_BYTES, LOG_FLUSH_MS);
  // Queued lines join the destination before pino's own exit handler flushes it.
  process.prependListener('exit', () => batcher.flush());
  return pino(base, batcher);
}
