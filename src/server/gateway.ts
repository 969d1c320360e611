/**
 * Composition root: builds the shared context from a config, starts the API and admin
 * servers, and drains them on shutdown.
 */
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { McpConfig } from '../mcp/config.js';
import { ConfigError } from '../config/config-error.js';
import {
  DEFAULT_HEALTH,
  DEFAULT_ROUTING_TUNING,
  type GatewayConfig,
  type HealthPolicy,
  type Route,
} from '../config/model.js';
import { AdapterTable } from '../providers/adapters.js';
import { destroyAgents } from '../proxy/agents.js';
import { Resolver } from '../resolve/resolver.js';
import { ActiveHealthChecker } from '../routing/active-health.js';
import { algorithmProblem, RouterTable, routerDeps } from '../routing/algorithms.js';
import { EndpointRegistry, type EndpointState } from '../routing/endpoint-state.js';
import { EngineMetricsPoller } from '../routing/engine-metrics.js';
import { PassiveHealth } from '../routing/health.js';
import { CoreTelemetry } from '../telemetry/core-telemetry.js';
import type { Logger } from '../telemetry/logger.js';
import type { McpTelemetry } from '../telemetry/mcp-telemetry.js';
import { GatewayMetrics } from '../telemetry/metrics.js';
import type { Telemetry } from '../telemetry/request-telemetry.js';
import { buildAdminApp } from './admin-app.js';
import { ConcurrencyLimit } from './admission.js';
import { buildApiApp } from './api-app.js';
import { withClientAuth } from './client-auth.js';
import { answerUnmetExpectation, clientErrorHandler } from './client-errors.js';
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

/** What a config reload may change; fields left out keep their value. */
export type ConfigUpdate = Partial<Pick<GatewayConfig, 'routes' | 'source' | 'apiKeys'>>;

export class Gateway {
  private constructor(
    readonly context: GatewayContext,
    private readonly api: Server,
    private readonly admin: Server,
    private readonly engineMetrics: EngineMetricsPoller,
    private readonly activeHealth: ActiveHealthChecker,
  ) {}

  static async start(config: GatewayConfig, options: GatewayOptions): Promise<Gateway> {
    const tuning = { ...DEFAULT_ROUTING_TUNING, ...config.routing.tuning };
    // Engine metrics count as stale after three missed scrapes.
    const staleAfterMs = 3 * tuning.engineMetricsIntervalMs + tuning.engineMetricsTimeoutMs;
    const endpoints = new EndpointRegistry({ staleAfterMs });
    endpoints.reconcile(endpointSpecs(config.routes));
    const health: HealthPolicy = config.health ?? DEFAULT_HEALTH;
    const random = options.random ?? Math.random;
    const metrics = new GatewayMetrics(endpoints);
    const core = new CoreTelemetry(options.logger, metrics);
    const context: GatewayContext = {
      config,
      resolver: new Resolver(config.routes),
      routers: new RouterTable(routerDeps({ registry: endpoints, random, tuning })),
      endpoints,
      health: new PassiveHealth({
        consecutiveFailures: health.ejectAfterFailures,
        baseEjectionMs: health.ejectionMs,
        maxEjectionMs: health.maxEjectionMs,
      }),
      adapters: new AdapterTable(),
      telemetry: options.telemetry ? options.telemetry(core, metrics) : core,
      metrics,
      lifecycle: new Lifecycle(),
      admission: new ConcurrencyLimit(config.limits.maxConcurrentRequests),
      logger: options.logger,
      random,
      ...(options.mcp ? { mcp: await buildMcpGateway(config, options.mcp, metrics, options) } : {}),
    };
    // Unknown default algorithms fail at start, not on the first request.
    context.routers.get(config.routing.algorithm);
    checkRouteAlgorithms(config);

    const engineMetrics = new EngineMetricsPoller(selfHostedEndpoints(config, endpoints), {
      intervalMs: tuning.engineMetricsIntervalMs,
      timeoutMs: tuning.engineMetricsTimeoutMs,
      onProblem: (endpoint, url, problem) =>
        problem
          ? options.logger.warn({ endpoint, url, problem }, 'engine metrics scrape failing')
          : options.logger.info({ endpoint, url }, 'engine metrics scrape recovered'),
    });

    const activeHealth = new ActiveHealthChecker({
      intervalMs: health.checkIntervalMs,
      timeoutMs: health.checkTimeoutMs,
      path: health.checkPath,
      unhealthyThreshold: health.unhealthyThreshold,
      healthyThreshold: health.healthyThreshold,
      onChange: (endpoint, problem) =>
        problem
          ? options.logger.warn({ endpoint, problem }, 'endpoint failed its health checks; not routed to')
          : options.logger.info({ endpoint }, 'endpoint passed its health check; routed to again'),
    });
    activeHealth.setTargets(selfHostedEndpoints(config, endpoints));

    const { limits } = config;
    const api = http.createServer(
      {
        keepAliveTimeout: 65_000,
        maxHeaderSize: limits.maxHeaderBytes,
        requestTimeout: limits.requestReadTimeoutMs,
        headersTimeout: limits.requestReadTimeoutMs,
        // How often node looks for requests past their read timeout.
        connectionsCheckingInterval: Math.min(30_000, Math.max(100, limits.requestReadTimeoutMs / 10)),
      },
      withClientAuth(buildApiApp(context), {
        keys: () => context.config.apiKeys,
        onRejected: () => metrics.rejectedRequests.inc({ reason: 'unauthorized' }),
      }),
    );
    api.on(
      'clientError',
      clientErrorHandler(limits.maxHeaderBytes, (reason) => metrics.rejectedRequests.inc({ reason })),
    );
    api.on('checkExpectation', answerUnmetExpectation);
    const admin = http.createServer(buildAdminApp(context));
    await listen(api, config.listen.host, config.listen.port, 'API');
    try {
      await listen(admin, config.listen.adminHost, config.listen.adminPort, 'admin');
    } catch (err) {
      api.close();
      throw err;
    }
    engineMetrics.start();
    activeHealth.start();
    return new Gateway(context, api, admin, engineMetrics, activeHealth);
  }

  /**
   * Serves the updated routes and API keys from now on (SIGHUP, file watch). Everything is
   * checked before anything changes: a route naming an unknown algorithm throws
   * `ConfigError` and the running config stays. Requests in flight finish on the route
   * they resolved; endpoints that stay keep their load and health.
   */
  reload(update: ConfigUpdate): void {
    const defined = Object.fromEntries(Object.entries(update).filter(([, v]) => v !== undefined));
    const config: GatewayConfig = { ...this.context.config, ...defined };
    checkRouteAlgorithms(config);
    const resolver = new Resolver(config.routes);
    const { endpoints } = this.context;
    endpoints.reconcile(endpointSpecs(config.routes));
    this.context.config = config;
    this.context.resolver = resolver;
    const selfHosted = selfHostedEndpoints(config, endpoints);
    this.engineMetrics.setTargets(selfHosted);
    this.activeHealth.setTargets(selfHosted);
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
    this.activeHealth.stop();
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

/** Every endpoint the routes name, in route order. */
function endpointSpecs(routes: readonly Route[]) {
  return routes.flatMap((route) => route.backends.flatMap((ref) => ref.backend.endpoints));
}

/** Throws `ConfigError` when a route names an algorithm that does not exist. */
function checkRouteAlgorithms(config: GatewayConfig): void {
  for (const route of config.routes) {
    const problem = route.routingAlgorithm ? algorithmProblem(route.routingAlgorithm) : undefined;
    if (problem) throw new ConfigError(config.source, `route ${route.name}`, problem);
  }
}

/**
 * Endpoints whose engine metrics and health are worth checking: self-hosted engines. An
 * endpoint with a configured metrics URL always is; otherwise a backend with gateway
 * credentials counts as a hosted API (OpenAI, Azure: no `/metrics`, no `/health`) unless
 * it declares an engine kind.
 */
function selfHostedEndpoints(config: GatewayConfig, endpoints: EndpointRegistry) {
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
