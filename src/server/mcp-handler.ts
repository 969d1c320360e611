/**
 * Wires the MCP gateway into the API server: builds it from the config (its timeouts come
 * from the gateway's), and the `/mcp` handler that refuses new work while draining and lets
 * POSTs in flight (tool calls) finish during a graceful shutdown.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayConfig } from '../config/model.js';
import type { McpConfig } from '../mcp/config.js';
import { jsonRpcErrorBody } from '../mcp/json-rpc.js';
import type { McpGateway } from '../mcp/mcp-gateway.js';
import type { Logger } from '../telemetry/logger.js';
import { McpMetrics } from '../telemetry/mcp-metrics.js';
import { CoreMcpTelemetry, type McpTelemetry } from '../telemetry/mcp-telemetry.js';
import type { GatewayMetrics } from '../telemetry/metrics.js';
import type { GatewayContext } from './context.js';

/** Items per page of the lists the gateway returns (env `SWITCHYARD_MCP_PAGE_SIZE`). */
export const DEFAULT_MCP_PAGE_SIZE = 500;
const SESSION_IDLE_MS = 30 * 60_000;
const RETRY_COOLDOWN_MS = 5_000;

/**
 * The MCP gateway for `mcp`. The MCP SDK (and zod with it) is loaded here, on demand: a
 * gateway without MCP servers is about 20 MB smaller for not loading it.
 */
export async function buildMcpGateway(
  config: GatewayConfig,
  mcp: McpConfig,
  metrics: GatewayMetrics,
  options: { logger: Logger; mcpTelemetry?: (base: McpTelemetry) => McpTelemetry },
): Promise<McpGateway> {
  const { McpGateway } = await import('../mcp/mcp-gateway.js');
  const core = new CoreMcpTelemetry(options.logger, new McpMetrics(metrics.registry));
  return new McpGateway({
    config: mcp,
    telemetry: options.mcpTelemetry ? options.mcpTelemetry(core) : core,
    logger: options.logger,
    maxBodyBytes: config.limits.maxBodyBytes,
    initializeTimeoutMs: config.timeouts.connectMs,
    requestTimeoutMs: config.timeouts.idleMs,
    pageSize: mcp.pageSize ?? DEFAULT_MCP_PAGE_SIZE,
    sessionIdleMs: SESSION_IDLE_MS,
    retryCooldownMs: RETRY_COOLDOWN_MS,
  });
}

export function mcpHandler(ctx: GatewayContext, mcp: McpGateway) {
  return function handleMcp(req: IncomingMessage, res: ServerResponse): void {
    if (ctx.lifecycle.draining) {
      const body = jsonRpcErrorBody(-32000, 'The gateway is shutting down; retry on another instance');
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1', connection: 'close' });
      res.end(body);
      return;
    }
    if (req.method === 'POST') ctx.lifecycle.track(res);
    void mcp.handle(req, res);
  };
}
