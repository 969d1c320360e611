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
      logger[level]({ component: 'opentelemetry', args: args.map(String) }, message);
  return {
    error: log('error'),
    warn: log('warn'),
    info: log('info'),
    debug: log('debug'),
    verbose: log('debug'),
  };
}
