/**
 * What the MCP gateway reports: one record per call to an upstream MCP server (or per call
 * the gateway refused before reaching one), and gateway sessions opening and closing.
 *
 * Implementations: `CoreMcpTelemetry` (log line + `switchyard_mcp_*` metrics). A span
 * recorder (OpenInference TOOL spans for `tools/call`) plugs in beside it through the same
 * interface and `combineMcpTelemetry`; everything it needs is in `McpCallStart` (tool name,
 * arguments, the client's `_meta` with any `traceparent`) and `McpCallEnd` (the result or
 * error). Redaction is the recorder's job: these records carry raw arguments and results.
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from './logger.js';
import type { McpMetrics } from './mcp-metrics.js';

/** How one call ended. A fixed, low-cardinality set (it is a metric label). */
export type McpOutcome =
  /** The server answered with a result (a tool result with `isError: false`). */
  | 'ok'
  /** `tools/call` answered with `isError: true`: the tool ran and reported a failure. */
  | 'tool_error'
  /** The server answered with a JSON-RPC error. */
  | 'error'
  /** The gateway refused before calling any server (unknown or filtered tool, bad cursor). */
  | 'refused'
  /** The server could not be reached, dropped the connection, or timed out. */
  | 'unavailable'
  /** The client cancelled the request. */
  | 'cancelled';

export interface McpCallStart {
  /** The configured server name, or `unknown` when a request named no configured server. */
  readonly server: string;
  /** The JSON-RPC method: `initialize`, `tools/list`, `tools/call`, ... */
  readonly method: string;
  /** The upstream tool name for `tools/call` (unprefixed), else undefined. */
  readonly tool?: string;
  /** `tools/call` arguments as the client sent them. Raw: redact before exporting. */
  readonly arguments?: Readonly<Record<string, unknown>>;
  /** The client's `params._meta` (trace context, progress token), when it sent one. */
  readonly meta?: Readonly<Record<string, unknown>>;
  /** `performance.now()` when the call started. */
  readonly startedAt: number;
}

export interface McpCallEnd {
  readonly outcome: McpOutcome;
  /** JSON-RPC error code, for `error`, `refused` and `unavailable`. */
  readonly errorCode?: number;
  /** Why, in a few words (`connection refused`, `HTTP 401`); never a secret or a body. */
  readonly reason?: string;
  /** The result as the server sent it (tool output). Raw: redact before exporting. */
  readonly result?: unknown;
}

/** One call; `end()` is called exactly once. */
export interface McpCallRecord {
  end(end: McpCallEnd): void;
  /**
   * Optional: entries to add to the upstream request's `params._meta`, read once before the
   * request is sent (a span recorder returns `{traceparent}` here to propagate its span).
   */
  upstreamMeta?(): Readonly<Record<string, string>>;
}

/**
 * Shared by every MCP session of the gateway. Implementations must not throw and must not
 * block: they run on the request path (`combineMcpTelemetry` guards them anyway).
 */
export interface McpTelemetry {
  call(start: McpCallStart): McpCallRecord;
  /** A gateway session (client <-> gateway) opened or closed. */
  session(event: 'opened' | 'closed'): void;
}

/** Log line and metrics for every call; the always-on part of MCP telemetry. */
export class CoreMcpTelemetry implements McpTelemetry {
  constructor(
    private readonly logger: Logger,
    private readonly metrics: McpMetrics,
  ) {}

  call(start: McpCallStart): McpCallRecord {
    return {
      end: (end) => {
        const seconds = (performance.now() - start.startedAt) / 1000;
        this.metrics.record(start.server, start.method, end.outcome, seconds);
        const line = {
          server: start.server,
          method: start.method,
          ...(start.tool !== undefined ? { tool: start.tool } : {}),
          outcome: end.outcome,
          durationMs: Math.round(seconds * 100_000) / 100,
          ...(end.errorCode !== undefined ? { errorCode: end.errorCode } : {}),
          ...(end.reason ? { reason: end.reason } : {}),
        };
        if (end.outcome === 'unavailable') this.logger.warn(line, 'mcp call');
        else this.logger.info(line, 'mcp call');
      },
    };
  }

  session(event: 'opened' | 'closed'): void {
    this.metrics.session(event);
  }
}

/** Fans every event out to each telemetry; one that throws is logged and skipped. */
export function combineMcpTelemetry(logger: Logger, ...parts: McpTelemetry[]): McpTelemetry {
  const guard = <T>(what: string, fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (err) {
      logger.error({ err, what }, 'MCP telemetry hook failed');
      return undefined;
    }
  };
  return {
    call(start) {
      const records = parts.map((p) => guard('call', () => p.call(start)));
      return {
        end(end) {
          for (const r of records) if (r) guard('end', () => r.end(end));
        },
        upstreamMeta() {
          const meta: Record<string, string> = {};
          for (const r of records)
            if (r?.upstreamMeta)
              Object.assign(
                meta,
                guard('upstreamMeta', () => r.upstreamMeta!()),
              );
          return meta;
        },
      };
    },
    session(event) {
      for (const p of parts) guard('session', () => p.session(event));
    },
  };
}
