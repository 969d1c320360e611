/**
 * OpenTelemetry's own warnings (an exporter that cannot reach its endpoint) in the
 * gateway's log, installed once for tracing and metrics export alike. `OTEL_LOG_LEVEL`
 * leaves OpenTelemetry's default diagnostics in charge.
 */
import { type DiagLogger, DiagLogLevel, diag } from '@opentelemetry/api';
import type { Logger } from './logger.js';

let installed = false;

export function installOtelDiagnostics(env: NodeJS.ProcessEnv, logger: Logger): void {
  if (installed || env['OTEL_LOG_LEVEL'] !== undefined) return;
  installed = true;
  diag.setLogger(pinoDiag(logger), DiagLogLevel.WARN);
}

function pinoDiag(logger: Logger): DiagLogger {
  const log =
    (level: 'error' | 'warn' | 'info' | 'debug') =>
    (message: string, ...args: unknown[]) =>
      logger[level]({ component: 'opentelemetry', args: args.map(String) }, readable(message));
  return {
    error: log('error'),
    warn: log('warn'),
    info: log('info'),
    debug: log('debug'),
    verbose: log('debug'),
  };
}

/**
 * Exporters report a failure as the JSON of the error, stack included; the log line says
 * `OTLPExporterError: Unsupported Media Type (code 415)` instead.
 */
export function readable(message: string): string {
  if (!message.startsWith('{')) return message;
  try {
    const err = JSON.parse(message) as { name?: unknown; message?: unknown; code?: unknown };
    if (typeof err.message !== 'string') return message;
    const name = typeof err.name === 'string' ? `${err.name}: ` : '';
    const code = err.code !== undefined && err.code !== null ? ` (code ${String(err.code)})` : '';
    return `${name}${err.message}${code}`;
  } catch {
    return message;
  }
}
