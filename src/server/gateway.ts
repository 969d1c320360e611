/**
 * Composition root: builds the shared context from a config, starts the API and admin
 * servers, and drains them on shutdown.
 */
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { McpConfig } from '../mcp/config.js';
import { DEFAULT_ROUTING_TUNING, type GatewayConfig } from '../config/model.js';
import { AdapterTable } from '../providers/adapters.js';
import { destroyAgents } from '../proxy/agents.js';
import { Resolver } from '../resolve/resolver.js';
import { RouterTable, routerDeps } from '../routing/algorithms.js';
import { EndpointRegistry, type EndpointState } from '../routing/endpoint-state.js';
import { EngineMetricsPoller } from '../routing/engine-metrics.js';
import { DEFAULT_EJECTION, PassiveHealth } from '../routing/health.js';
import { CoreTelemetry } from '../telemetry/core-telemetry.js';
import type { Logger } from '../telemetry/logger.js';
import type { McpTelemetry } from '../telemetry/mcp-telemetry.js';
import { GatewayMetrics } from '../telemetry/metrics.js';
import type { Telemetry } from '../telemetry/request-telemetry.js';
import { buildAdminApp } from './admin-app.js';
import { buildApiApp } from './api-app.js';
import type { GatewayContext } from './context.js';
import { Lifecycle } from './lifecycle.js';
import { buildMcpGateway } from './mcp-handler.js';

export interface GatewayOptions {
  readonly logger: Logger;
  readonly random?: () => number;
  /** Replaces the default telemetry (tests, tracing). */
  readonly telemetry?: (base: Telemetry, metrics: GatewayMetrics) => Telemetry;
  /** MCP servers to aggregate on `/mcp`; without them `/mcp` is not served. */
  readonly mcp?: McpConfig;
  /** Adds to the MCP telemetry (tracing: OpenInference TOOL spans). */
  readonly mcpTelemetry?: (base: McpTelemetry) => McpTelemetry;
}

export class Gateway {
  private constructor(
    readonly context: GatewayContext,
    private readonly api: Server,
    private readonly admin: Server,
    private readonly engineMetrics: EngineMetricsPoller,
  ) {}

  static async start(config: GatewayConfig, options: GatewayOptions): Promise<Gateway> {
    const tuning = { ...DEFAULT_ROUTING_TUNING, ...config.routing.tuning };
    // Engine metrics count as stale after three missed scrapes.
    const staleAfterMs = 3 * tuning.engineMetricsIntervalMs + tuning.engineMetricsTimeoutMs;
    const endpoints = new EndpointRegistry({ staleAfterMs });
    for (const route of config.routes) {
      for (const ref of route.backends) for (const spec of ref.backend.endpoints) endpoints.state(spec);
    }
    const random = options.random ?? Math.random;
    const metrics = new GatewayMetrics(endpoints);
    const core = new CoreTelemetry(options.logger, metrics);
    const context: GatewayContext = {
      config,
      resolver: new Resolver(config.routes),
      routers: new RouterTable(routerDeps({ registry: endpoints, random, tuning })),
      endpoints,
      health: new PassiveHealth(DEFAULT_EJECTION),
      adapters: new AdapterTable(),
      telemetry: options.telemetry ? options.telemetry(core, metrics) : core,
      metrics,
      lifecycle: new Lifecycle(),
      logger: options.logger,
      random,
      ...(options.mcp ? { mcp: await buildMcpGateway(config, options.mcp, metrics, options) } : {}),
    };
    // Unknown default algorithms fail at start, not on the first request.
    context.routers.get(config.routing.algorithm);
    for (const route of config.routes)
      if (route.routingAlgorithm) context.routers.get(route.routingAlgorithm);

    const engineMetrics = new EngineMetricsPoller(scrapedEndpoints(config, endpoints), {
      intervalMs: tuning.engineMetricsIntervalMs,
      timeoutMs: tuning.engineMetricsTimeoutMs,
      onProblem: (endpoint, url, problem) =>
        problem
          ? options.logger.warn({ endpoint, url, problem }, 'engine metrics scrape failing')
          : options.logger.info({ endpoint, url }, 'engine metrics scrape recovered'),
    });

    const api = http.createServer({ keepAliveTimeout: 65_000 }, buildApiApp(context));
    const admin = http.createServer(buildAdminApp(context));
    await listen(api, config.listen.host, config.listen.port, 'API');
    try {
      await listen(admin, config.listen.adminHost, config.listen.adminPort, 'admin');
    } catch (err) {
      api.close();
      throw err;
    }
    engineMetrics.start();
    return new Gateway(context, api, admin, engineMetrics);
  }

  get port(): number {
    return (this.api.address() as AddressInfo).port;
  }

  get adminPort(): number {
    return (this.admin.address() as AddressInfo).port;
  }

  /**
   * Stops accepting connections, lets in-flight requests (streams included) finish for up
   * to `drainMs`, then closes everything. Resolves true when nothing had to be cut.
   */
  async shutdown(drainMs: number): Promise<boolean> {
    const { lifecycle } = this.context;
    lifecycle.startDraining();
    this.engineMetrics.stop();
    const closed = new Promise<void>((resolve) => this.api.close(() => resolve()));
    this.api.closeIdleConnections();
    const clean = await lifecycle.idle(drainMs);
    await this.context.mcp?.close();
    this.api.closeAllConnections();
    await closed;
    await new Promise<void>((resolve) => {
      this.admin.close(() => resolve());
      this.admin.closeAllConnections();
    });
    destroyAgents();
    return clean;
  }
}

/**
 * Endpoints whose engine metrics are worth scraping: self-hosted engines. An endpoint with
 * a configured metrics URL always is; otherwise a backend with gateway credentials counts
 * as a hosted API (OpenAI, Azure: no `/metrics`) unless it declares an engine kind.
 */
function scrapedEndpoints(config: GatewayConfig, endpoints: EndpointRegistry) {
  const states = new Map<string, EndpointState>();
  for (const route of config.routes)
    for (const { backend } of route.backends) {
      const selfHosted =
        backend.provider.schema === 'openai' && (!backend.auth || backend.engine !== undefined);
      for (const spec of backend.endpoints)
        if (selfHosted || spec.metricsUrl) states.set(spec.id, endpoints.state(spec));
    }
  return [...states.values()];
}

/** Listens, turning bind errors into a sentence that names the port and the flag. */
function listen(server: Server, host: string, port: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      const flag = what === 'API' ? '--port' : '--admin-port';
      if (err.code === 'EADDRINUSE')
        reject(
          new ListenError(`${what} port ${port} on ${host} is already in use; choose another with ${flag}`),
        );
      else if (err.code === 'EACCES')
        reject(
          new ListenError(
            `no permission to bind ${what} port ${port} on ${host}; choose a port above 1023 with ${flag}`,
          ),
        );
      else if (err.code === 'EADDRNOTAVAIL')
        reject(new ListenError(`cannot bind ${what} address ${host}: it is not an address of this machine`));
      else reject(err);
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

export class ListenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ListenError';
  }
}
