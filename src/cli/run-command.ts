/**
 * `switchyard run [config.yaml]`: load the config, start the gateway, drain on SIGTERM/SIGINT.
 */
import { ConfigError } from '../config/config-error.js';
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
import { algorithmProblem, knownAlgorithms } from '../routing/algorithms.js';
import { Gateway, ListenError } from '../server/gateway.js';
import { createLogger } from '../telemetry/logger.js';
import {
  announceFleet,
  FLEET_FLAGS,
  fleetSpecFromFlags,
  type StartedFleet,
  startEmbeddedFleet,
  wantsEmbeddedFleet,
} from './embedded-fleet.js';
import { type FlagSpec, type FlagValues, formatHelp, parseCommand } from './flags.js';
import { UsageError } from './usage-error.js';

export const RUN_FLAGS: readonly FlagSpec[] = [
  {
    name: 'endpoints-config',
    type: 'string',
    value: 'FILE',
    help: 'AIBrix-style endpoints.yaml listing the model servers.',
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
  {
    name: 'log-level',
    type: 'string',
    env: 'SWITCHYARD_LOG_LEVEL',
    default: 'info',
    value: 'LEVEL',
    choices: ['trace', 'debug', 'info', 'warn', 'error', 'silent'],
    help: 'Log level.',
  },
  ...FLEET_FLAGS,
];

const SUMMARY = `Serve an OpenAI-compatible API and route each request to a model server.

Config sources: --endpoints-config FILE (AIBrix endpoints.yaml). Positional config.yaml
(Envoy AI Gateway resources) is reserved for aigw compatibility. With no config, no
endpoints file and no OPENAI_API_KEY / AZURE_OPENAI_API_KEY, an embedded fleet of
simulated vLLM engines is started and served (see --sim-* options).`;

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
  const logger = createLogger({ level: f['log-level'] as string });
  let loaded = loadRoutes({
    ...(f['endpoints-config'] ? { endpointsFile: f['endpoints-config'] as string } : {}),
    ...(parsed.positionals[0] ? { configFile: parsed.positionals[0] } : {}),
    env,
  });
  let embedded: StartedFleet | undefined;
  if (!loaded && wantsEmbeddedFleet(env)) {
    embedded = await startEmbeddedFleet(fleetSpec, logger);
    loaded = embedded.loaded;
  }
  if (!loaded) {
    throw new ConfigError(
      'switchyard run',
      '',
      'no model servers configured: pass --endpoints-config FILE (see the README for its format)',
    );
  }
  const config: GatewayConfig = {
    routes: loaded.routes,
    source: loaded.source,
    listen: {
      host: f['host'] as string,
      port: f['port'] as number,
      adminHost: f['admin-host'] as string,
      adminPort: f['admin-port'] as number,
    },
    limits: { maxBodyBytes: f['max-body-size'] as number },
    timeouts: {
      connectMs: f['connect-timeout'] as number,
      firstByteMs: f['first-byte-timeout'] as number,
      idleMs: f['idle-timeout'] as number,
      drainMs: f['drain-timeout'] as number,
    },
    routing: { algorithm, tuning: routingTuning(f) },
    retry: { maxRetries: Math.max(0, f['max-retries'] as number) },
  };
  let gateway: Gateway;
  try {
    gateway = await Gateway.start(config, { logger });
  } catch (err) {
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
    },
    'switchyard listening',
  );
  if (embedded) announceFleet(embedded.fleet.layout, config.listen.host, gateway.port, logger);
  return waitForShutdown(gateway, config.timeouts.drainMs, logger, () => embedded?.fleet.close());
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
