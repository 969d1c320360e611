/**
 * `switchyard run [config.yaml]`: load the config, start the gateway, drain on SIGTERM/SIGINT.
 */
import { ConfigError } from '../config/config-error.js';
import { loadApiKeys } from '../config/api-keys.js';
import { loadRoutes } from '../config/load.js';
import {
  DEFAULT_LIMITS,
  DEFAULT_LISTEN,
  DEFAULT_RETRY,
  DEFAULT_ROUTING_TUNING,
  DEFAULT_TIMEOUTS,
  type GatewayConfig,
  type RoutingTuning,
} from '../config/model.js';
import { loadMcpConfig } from '../mcp/config.js';
import { algorithmProblem, knownAlgorithms } from '../routing/algorithms.js';
import { Gateway, ListenError } from '../server/gateway.js';
import { DEFAULT_MCP_PAGE_SIZE } from '../server/mcp-handler.js';
import { createLogger } from '../telemetry/logger.js';
import {
  setUpTelemetry,
  TelemetryConfigError,
  type TelemetrySettings,
  telemetrySettingsFrom,
} from '../telemetry/telemetry-setup.js';
import {
  announceFleet,
  FLEET_FLAGS,
  fleetSpecFromFlags,
  type StartedFleet,
  startEmbeddedFleet,
  wantsEmbeddedFleet,
} from './embedded-fleet.js';
import { type FlagSpec, LOG_LEVEL_FLAG, type FlagValues, formatHelp, parseCommand } from './flags.js';
import { reloadConfig } from './config-reload.js';
import { RELIABILITY_FLAGS, reliabilitySettings } from './reliability-flags.js';
import { limitHeapGrowth } from './heap-growth.js';
import { UsageError } from './usage-error.js';

export const RUN_FLAGS: readonly FlagSpec[] = [
  {
    name: 'endpoints-config',
    type: 'string',
    value: 'FILE',
    help: 'AIBrix-style endpoints.yaml listing the model servers.',
  },
  {
    name: 'mcp-config',
    type: 'string',
    value: 'FILE',
    help: 'MCP servers to aggregate on /mcp, as {"mcpServers": {...}} JSON (see the README).',
  },
  {
    name: 'mcp-json',
    type: 'string',
    value: 'JSON',
    help: 'The same MCP servers config given inline; excludes --mcp-config.',
  },
  {
    name: 'mcp-page-size',
    type: 'int',
    env: 'SWITCHYARD_MCP_PAGE_SIZE',
    default: DEFAULT_MCP_PAGE_SIZE,
    value: 'N',
    help: 'Items per page of the tool, prompt and resource lists /mcp returns.',
  },
  {
    name: 'port',
    type: 'port',
    default: DEFAULT_LISTEN.port,
    help: 'Port of the OpenAI-compatible API (0 picks a free one).',
  },
  {
    name: 'admin-port',
    type: 'port',
    default: DEFAULT_LISTEN.adminPort,
    help: 'Port of the admin server (/health, /metrics).',
  },
  {
    name: 'host',
    type: 'string',
    default: DEFAULT_LISTEN.host,
    value: 'ADDR',
    help: 'Address the API listens on.',
  },
  {
    name: 'admin-host',
    type: 'string',
    default: DEFAULT_LISTEN.adminHost,
    value: 'ADDR',
    help: 'Address the admin server listens on (127.0.0.1 keeps it private).',
  },
  {
    name: 'routing-algorithm',
    type: 'string',
    env: 'ROUTING_ALGORITHM',
    default: 'random',
    value: 'NAME',
    help: `Default routing algorithm: ${knownAlgorithms().join(', ')}.`,
  },
  {
    name: 'prefix-block-size',
    type: 'int',
    default: DEFAULT_ROUTING_TUNING.prefixBlockSize,
    value: 'TOKENS',
    help: 'prefix-cache, pd: prompt tokens per block of the prefix index.',
  },
  {
    name: 'load-imbalance-threshold',
    type: 'int',
    default: DEFAULT_ROUTING_TUNING.loadImbalanceThreshold,
    value: 'N',
    help: 'prefix-cache, pd: in-flight requests above the least loaded endpoint that make the best match overloaded.',
  },
  {
    name: 'prefix-min-match-ratio',
    type: 'number',
    default: DEFAULT_ROUTING_TUNING.prefixMinMatchRatio,
    value: 'R',
    help: 'prefix-cache, pd: a best match covering less of the prompt than this (0-1) is routed by load.',
  },
  {
    name: 'prefix-index-max-blocks',
    type: 'int',
    default: DEFAULT_ROUTING_TUNING.prefixIndexMaxBlocks,
    value: 'N',
    help: 'prefix-cache, pd: blocks remembered per endpoint (least recently used forgotten first).',
  },
  {
    name: 'prefix-index-ttl',
    type: 'duration',
    default: DEFAULT_ROUTING_TUNING.prefixIndexTtlMs,
    value: 'DURATION',
    help: 'prefix-cache, pd: forget a block unused for this long.',
  },
  {
    name: 'session-ttl',
    type: 'duration',
    default: DEFAULT_ROUTING_TUNING.sessionTtlMs,
    value: 'DURATION',
    help: 'session-affinity: forget a session unused for this long.',
  },
  {
    name: 'engine-metrics-interval',
    type: 'duration',
    default: DEFAULT_ROUTING_TUNING.engineMetricsIntervalMs,
    value: 'DURATION',
    help: "How often each engine's /metrics is scraped (0 turns scraping off).",
  },
  {
    name: 'engine-metrics-timeout',
    type: 'duration',
    default: DEFAULT_ROUTING_TUNING.engineMetricsTimeoutMs,
    value: 'DURATION',
    help: 'Longest wait for one engine metrics scrape.',
  },
  {
    name: 'max-body-size',
    type: 'size',
    default: DEFAULT_LIMITS.maxBodyBytes,
    value: 'SIZE',
    help: 'Largest request body accepted (e.g. 50Mi); larger is a 413.',
  },
  {
    name: 'connect-timeout',
    type: 'duration',
    default: DEFAULT_TIMEOUTS.connectMs,
    value: 'DURATION',
    help: 'Upstream connect timeout (ms, or 5s, 1m).',
  },
  {
    name: 'first-byte-timeout',
    type: 'duration',
    default: DEFAULT_TIMEOUTS.firstByteMs,
    value: 'DURATION',
    help: 'Longest wait for the upstream response headers.',
  },
  {
    name: 'idle-timeout',
    type: 'duration',
    default: DEFAULT_TIMEOUTS.idleMs,
    value: 'DURATION',
    help: 'Longest silence inside a response or stream.',
  },
  {
    name: 'max-retries',
    type: 'int',
    default: DEFAULT_RETRY.maxRetries,
    value: 'N',
    help: 'Attempts on other endpoints after a connection failure before any response byte.',
  },
  {
    name: 'drain-timeout',
    type: 'duration',
    default: DEFAULT_TIMEOUTS.drainMs,
    value: 'DURATION',
    help: 'On SIGTERM/SIGINT, how long in-flight requests may finish.',
  },
  LOG_LEVEL_FLAG,
  {
    name: 'debug',
    type: 'boolean',
    env: 'SWITCHYARD_DEBUG',
    help: 'Debug logs (as --log-level debug), including each routing decision with its candidates and scores.',
  },
  ...RELIABILITY_FLAGS,
  ...FLEET_FLAGS,
];

const SUMMARY = `Serve an OpenAI-compatible API and route each request to a model server.

Config sources, merged in this order: --endpoints-config FILE (AIBrix endpoints.yaml), then
config.yaml (Envoy AI Gateway resources, as for \`aigw run\`) or, without it, the
environment: OPENAI_API_KEY [+ OPENAI_BASE_URL], or AZURE_OPENAI_API_KEY +
AZURE_OPENAI_ENDPOINT + OPENAI_API_VERSION [+ OPENAI_ORG_ID, OPENAI_PROJECT_ID].
--mcp-config FILE or --mcp-json JSON adds an MCP gateway on /mcp, alone or beside the
model routes. With no model source and no MCP servers, an embedded fleet of simulated
vLLM engines is started and served (see the --sim-* options).

SIGHUP (or a change, with --watch-config) reloads the config files and the API keys file;
a bad new file is logged and the running config keeps serving. README "Operations" has
the failure behaviour, limits and client auth.`;

export function runHelp(): string {
  return formatHelp('switchyard run [config.yaml] [options]', SUMMARY, RUN_FLAGS);
}

export async function runCommand(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const parsed = parseCommand(argv, RUN_FLAGS, env, 1);
  if (parsed.help) {
    process.stdout.write(runHelp());
    return 0;
  }
  const f = parsed.flags;
  const algorithm = f['routing-algorithm'] as string;
  const algorithmIssue = algorithmProblem(algorithm);
  if (algorithmIssue) throw new UsageError(algorithmIssue);
  const fleetSpec = fleetSpecFromFlags(f);
  if (f['mcp-config'] !== undefined && f['mcp-json'] !== undefined) {
    throw new UsageError('--mcp-config and --mcp-json are mutually exclusive; pass one');
  }
  const pageSize = f['mcp-page-size'] as number;
  if (pageSize < 1)
    throw new UsageError(`invalid value "${pageSize}" for --mcp-page-size: must be at least 1`);
  const reliability = reliabilitySettings(f);
  // Telemetry variables are checked before anything starts (a bad one exits 2).
  const telemetrySettings = checkedTelemetrySettings(env);
  limitHeapGrowth(process.execArgv, env['NODE_OPTIONS']);
  const logLevel = f['debug'] && f['log-level'] !== 'trace' ? 'debug' : (f['log-level'] as string);
  const logger = createLogger({ level: logLevel });
  const routeSources = {
    ...(f['endpoints-config'] ? { endpointsFile: f['endpoints-config'] as string } : {}),
    ...(parsed.positionals[0] ? { configFile: parsed.positionals[0] } : {}),
  };
  let loaded = loadRoutes({ ...routeSources, env });
  const apiKeysFile = f['api-keys-file'] as string | undefined;
  const apiKeys = loadApiKeys({ ...(apiKeysFile !== undefined ? { file: apiKeysFile } : {}), env });
  const mcp = loadMcpConfig(
    {
      ...(f['mcp-config'] !== undefined ? { file: f['mcp-config'] as string } : {}),
      ...(f['mcp-json'] !== undefined ? { json: f['mcp-json'] as string } : {}),
    },
    env,
  );
  let embedded: StartedFleet | undefined;
  // An MCP-only gateway serves /mcp without model routes (no simulated fleet either).
  if (!loaded && !mcp && wantsEmbeddedFleet(env)) {
    embedded = await startEmbeddedFleet(fleetSpec, logger);
    loaded = embedded.loaded;
  }
  if (!loaded && !mcp) {
    throw new ConfigError(
      'switchyard run',
      '',
      'no model servers configured: pass --endpoints-config FILE or an Envoy AI Gateway config file, or set OPENAI_API_KEY (see the README)',
    );
  }
  const config: GatewayConfig = {
    routes: loaded?.routes ?? [],
    source: loaded?.source ?? 'none (MCP only)',
    listen: {
      host: f['host'] as string,
      port: parsed.explicit.has('port')
        ? (f['port'] as number)
        : (loaded?.listenPort ?? (f['port'] as number)),
      adminHost: f['admin-host'] as string,
      adminPort: f['admin-port'] as number,
    },
    limits: {
      maxBodyBytes: parsed.explicit.has('max-body-size')
        ? (f['max-body-size'] as number)
        : (loaded?.maxBodyBytes ?? (f['max-body-size'] as number)),
      ...reliability.limits,
    },
    timeouts: {
      connectMs: f['connect-timeout'] as number,
      firstByteMs: f['first-byte-timeout'] as number,
      idleMs: f['idle-timeout'] as number,
      drainMs: f['drain-timeout'] as number,
    },
    routing: { algorithm, tuning: routingTuning(f) },
    retry: { maxRetries: Math.max(0, f['max-retries'] as number), retryOn: reliability.retryOn },
    health: reliability.health,
    ...(apiKeys ? { apiKeys } : {}),
  };
  for (const route of config.routes) {
    const problem = route.routingAlgorithm ? algorithmProblem(route.routingAlgorithm) : undefined;
    if (problem) throw new ConfigError(config.source, `route ${route.name}`, problem);
  }
  for (const warning of loaded?.warnings ?? []) logger.warn(warning);
  for (const note of loaded?.ignored ?? []) logger.info(note);
  const telemetry = await setUpTelemetry(telemetrySettings, env, logger);
  let gateway: Gateway;
  try {
    gateway = await Gateway.start(config, {
      logger,
      telemetry: telemetry.wrap,
      ...(telemetry.wrapMcp ? { mcpTelemetry: telemetry.wrapMcp } : {}),
      ...(mcp ? { mcp: { ...mcp, pageSize } } : {}),
    });
  } catch (err) {
    await telemetry.shutdown();
    await embedded?.fleet.close();
    if (err instanceof ListenError) throw new UsageError(err.message);
    throw err;
  }
  logger.info(
    {
      port: gateway.port,
      adminPort: gateway.adminPort,
      host: config.listen.host,
      models: gateway.context.resolver.listModels().map((m) => m.id),
      source: config.source,
      routingAlgorithm: algorithm,
      ...(mcp ? { mcpServers: mcp.servers.map((s) => s.name), mcpSource: mcp.source } : {}),
      tracing: telemetrySettings.tracing.enabled ? telemetrySettings.tracing : false,
      ...(apiKeys ? { clientAuth: { keys: apiKeys.size, source: apiKeys.source } } : {}),
    },
    'switchyard listening',
  );
  const reloader = reloadConfig(
    gateway,
    {
      ...routeSources,
      ...(apiKeysFile !== undefined ? { apiKeysFile } : {}),
      env,
      startedWith: {
        ...(loaded?.listenPort !== undefined ? { listenPort: loaded.listenPort } : {}),
        ...(loaded?.maxBodyBytes !== undefined ? { maxBodyBytes: loaded.maxBodyBytes } : {}),
      },
    },
    logger,
    { watch: f['watch-config'] === true },
  );
  if (embedded) announceFleet(embedded.fleet.layout, config.listen.host, gateway.port, logger);
  return waitForShutdown(gateway, config.timeouts.drainMs, logger, async () => {
    reloader.stop();
    // Spans still queued are exported before the process exits.
    await telemetry.shutdown().catch((err: unknown) => logger.warn({ err }, 'flushing spans failed'));
    await embedded?.fleet.close();
  });
}

function checkedTelemetrySettings(env: NodeJS.ProcessEnv): TelemetrySettings {
  try {
    return telemetrySettingsFrom(env);
  } catch (err) {
    if (err instanceof TelemetryConfigError) throw new UsageError(err.message);
    throw err;
  }
}

function routingTuning(f: FlagValues): RoutingTuning {
  const atLeast = (flag: string, min: number): number => {
    const value = f[flag] as number;
    if (value < min) throw new UsageError(`invalid value "${value}" for --${flag}: must be at least ${min}`);
    return value;
  };
  return {
    prefixBlockSize: atLeast('prefix-block-size', 1),
    loadImbalanceThreshold: atLeast('load-imbalance-threshold', 0),
    prefixMinMatchRatio: ratioFlag(f, 'prefix-min-match-ratio'),
    prefixIndexMaxBlocks: atLeast('prefix-index-max-blocks', 1),
    prefixIndexTtlMs: atLeast('prefix-index-ttl', 1),
    sessionTtlMs: atLeast('session-ttl', 1),
    engineMetricsIntervalMs: atLeast('engine-metrics-interval', 0),
    engineMetricsTimeoutMs: atLeast('engine-metrics-timeout', 1),
  };
}

function ratioFlag(f: FlagValues, flag: string): number {
  const value = f[flag] as number;
  if (!(value >= 0 && value <= 1))
    throw new UsageError(`invalid value "${value}" for --${flag}: must be between 0 and 1`);
  return value;
}

function waitForShutdown(
  gateway: Gateway,
  drainMs: number,
  logger: ReturnType<typeof createLogger>,
  afterStop: () => Promise<void> | undefined = () => undefined,
): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal, inFlight: gateway.context.lifecycle.inFlight, drainMs }, 'draining');
      const clean = await gateway.shutdown(drainMs);
      await afterStop();
      logger.info({ clean }, clean ? 'stopped' : 'stopped after the drain deadline; some requests were cut');
      logger.flush();
      resolve(0);
    };
    process.once('SIGTERM', () => void stop('SIGTERM'));
    process.once('SIGINT', () => void stop('SIGINT'));
  });
}
