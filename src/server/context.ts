import type { GatewayConfig } from '../config/model.js';
import type { McpGateway } from '../mcp/mcp-gateway.js';
import type { AdapterTable } from '../providers/adapters.js';
import type { Resolver } from '../resolve/resolver.js';
import type { RouterTable } from '../routing/algorithms.js';
import type { EndpointRegistry } from '../routing/endpoint-state.js';
import type { PassiveHealth } from '../routing/health.js';
import type { Logger } from '../telemetry/logger.js';
import type { GatewayMetrics } from '../telemetry/metrics.js';
import type { Telemetry } from '../telemetry/request-telemetry.js';
import type { ConcurrencyLimit } from './admission.js';
import type { Lifecycle } from './lifecycle.js';

/**
 * Everything a request handler needs, built once by the composition root. `config` and
 * `resolver` are replaced as a whole when the config is reloaded (`Gateway.reload`); a
 * request keeps the route it resolved, so requests in flight finish on the old config.
 */
export interface GatewayContext {
  config: GatewayConfig;
  resolver: Resolver;
  readonly routers: RouterTable;
  readonly endpoints: EndpointRegistry;
  readonly health: PassiveHealth;
  readonly adapters: AdapterTable;
  readonly telemetry: Telemetry;
  readonly metrics: GatewayMetrics;
  readonly lifecycle: Lifecycle;
  /** `--max-concurrent-requests` over inference requests. */
  readonly admission: ConcurrencyLimit;
  readonly logger: Logger;
  readonly random: () => number;
  /** The `/mcp` endpoint, when MCP servers are configured. */
  readonly mcp?: McpGateway;
}
