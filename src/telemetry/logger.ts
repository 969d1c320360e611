/**
 * Structured JSON logs (pino), written asynchronously so logging never blocks a request.
 * When stdout is a terminal the lines are pretty-printed instead.
 * Secrets never reach a log: headers are not logged, and known secret fields are redacted
 * as a second line of defence.
 */
import pino, { type Logger } from 'pino';

export type { Logger };

export interface LoggerOptions {
  readonly level?: string;
  readonly pretty?: boolean;
  /** Write synchronously (tests that read logs right after an event, CLIs that exit). */
  readonly sync?: boolean;
}

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
  return pino(base, pino.destination({ dest: 1, sync: options.sync ?? false }));
}
