/**
 * The MCP gateway's Prometheus series, registered into the gateway's registry (so they are
 * served by the admin `/metrics` beside the routing series). Labels are the configured
 * server name, the JSON-RPC method and the outcome: all bounded by the config and the
 * protocol, never a tool argument, a session id or a client-chosen string.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { McpOutcome } from './mcp-telemetry.js';

/** JSON-RPC methods the gateway sends upstream; anything else is counted as `other`. */
const KNOWN_METHODS = new Set([
  'initialize',
  'tools/list',
  'tools/call',
  'prompts/list',
  'prompts/get',
  'resources/list',
  'resources/templates/list',
  'resources/read',
]);

export class McpMetrics {
  private readonly requests: Counter<'server' | 'method' | 'outcome'>;
  private readonly duration: Histogram<'server' | 'method' | 'outcome'>;
  private readonly sessions: Gauge;

  constructor(registry: Registry) {
    this.requests = new Counter({
      name: 'switchyard_mcp_requests_total',
      help: 'Calls to upstream MCP servers (and calls the gateway refused), by server, method and outcome.',
      labelNames: ['server', 'method', 'outcome'] as const,
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'switchyard_mcp_request_duration_seconds',
      help: 'Duration of calls to upstream MCP servers, by server, method and outcome.',
      labelNames: ['server', 'method', 'outcome'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    });
    this.sessions = new Gauge({
      name: 'switchyard_mcp_sessions_active',
      help: 'MCP client sessions open on the gateway.',
      registers: [registry],
    });
  }

  record(server: string, method: string, outcome: McpOutcome, seconds: number): void {
    const labels = { server, method: KNOWN_METHODS.has(method) ? method : 'other', outcome };
    this.requests.inc(labels);
    this.duration.observe(labels, seconds);
  }

  session(event: 'opened' | 'closed'): void {
    if (event === 'opened') this.sessions.inc();
    else this.sessions.dec();
  }
}
