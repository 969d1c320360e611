/**
 * `switchyard run` flags for failure handling and protection: retries, passive and active
 * health, client limits, concurrency limits, client API keys and config reload. README
 * "Operations" explains each; defaults live in `config/model.ts`.
 */
import {
  DEFAULT_HEALTH,
  DEFAULT_LIMITS,
  type HealthPolicy,
  RETRY_CONDITIONS,
  type RetryCondition,
} from '../config/model.js';
import type { FlagSpec, FlagValues } from './flags.js';
import { UsageError } from './usage-error.js';

export const API_KEYS_FILE_VARIABLE = 'SWITCHYARD_API_KEYS_FILE';

export const RELIABILITY_FLAGS: readonly FlagSpec[] = [
  {
    name: 'retry-on',
    type: 'string',
    default: RETRY_CONDITIONS.join(','),
    value: 'LIST',
    help: 'Failures retried on another endpoint (before any response byte): connect, reset, 5xx, or none.',
  },
  {
    name: 'eject-after-failures',
    type: 'int',
    default: DEFAULT_HEALTH.ejectAfterFailures,
    value: 'N',
    help: 'Passive health: connection failures in a row that eject an endpoint.',
  },
  {
    name: 'ejection-time',
    type: 'duration',
    default: DEFAULT_HEALTH.ejectionMs,
    value: 'DURATION',
    help: 'Passive health: first ejection; doubles with each ejection in a row.',
  },
  {
    name: 'max-ejection-time',
    type: 'duration',
    default: DEFAULT_HEALTH.maxEjectionMs,
    value: 'DURATION',
    help: 'Passive health: longest ejection.',
  },
  {
    name: 'health-check-interval',
    type: 'duration',
    default: DEFAULT_HEALTH.checkIntervalMs,
    value: 'DURATION',
    help: "Active health: GET each self-hosted endpoint's health path this often (0: off).",
  },
  {
    name: 'health-check-path',
    type: 'string',
    default: DEFAULT_HEALTH.checkPath,
    value: 'PATH',
    help: 'Active health: the path checked; any 2xx passes.',
  },
  {
    name: 'health-check-timeout',
    type: 'duration',
    default: DEFAULT_HEALTH.checkTimeoutMs,
    value: 'DURATION',
    help: 'Active health: longest wait for one check.',
  },
  {
    name: 'unhealthy-threshold',
    type: 'int',
    default: DEFAULT_HEALTH.unhealthyThreshold,
    value: 'N',
    help: 'Active health: failed checks in a row that take an endpoint out.',
  },
  {
    name: 'healthy-threshold',
    type: 'int',
    default: DEFAULT_HEALTH.healthyThreshold,
    value: 'N',
    help: 'Active health: passed checks in a row that bring it back (and end an ejection).',
  },
  {
    name: 'max-header-size',
    type: 'size',
    default: DEFAULT_LIMITS.maxHeaderBytes,
    value: 'SIZE',
    help: 'Largest request line plus headers (e.g. 64Ki); larger is a 431.',
  },
  {
    name: 'request-read-timeout',
    type: 'duration',
    default: DEFAULT_LIMITS.requestReadTimeoutMs,
    value: 'DURATION',
    help: 'Time a client has to send its headers and body; slower is a 408 (slowloris).',
  },
  {
    name: 'max-concurrent-requests',
    type: 'int',
    default: DEFAULT_LIMITS.maxConcurrentRequests,
    value: 'N',
    help: 'Inference requests served at once; more get a 429 with retry-after (0: no limit).',
  },
  {
    name: 'max-requests-per-endpoint',
    type: 'int',
    default: DEFAULT_LIMITS.maxRequestsPerEndpoint,
    value: 'N',
    help: 'Requests in flight to one endpoint; a full one is skipped, all full is a 503 with retry-after (0: no limit).',
  },
  {
    name: 'api-keys-file',
    type: 'string',
    env: API_KEYS_FILE_VARIABLE,
    value: 'FILE',
    help: 'Client API keys, one per line: every API request then needs "Authorization: Bearer KEY" (also env SWITCHYARD_API_KEYS, comma-separated).',
  },
  {
    name: 'watch-config',
    type: 'boolean',
    help: 'Reload the config files (and the API keys file) when they change, as on SIGHUP.',
  },
];

export interface ReliabilitySettings {
  readonly limits: {
    readonly maxHeaderBytes: number;
    readonly requestReadTimeoutMs: number;
    readonly maxConcurrentRequests: number;
    readonly maxRequestsPerEndpoint: number;
  };
  readonly retryOn: readonly RetryCondition[];
  readonly health: HealthPolicy;
}

/** The flags' values, checked; throws UsageError naming the flag. */
export function reliabilitySettings(f: FlagValues): ReliabilitySettings {
  const atLeast = (flag: string, min: number): number => {
    const value = f[flag] as number;
    if (value < min) throw new UsageError(`invalid value "${value}" for --${flag}: must be at least ${min}`);
    return value;
  };
  const path = f['health-check-path'] as string;
  if (!path.startsWith('/') || /[\s?#]/.test(path))
    throw new UsageError(`invalid value "${path}" for --health-check-path: expected a path like /health`);
  const ejectionMs = atLeast('ejection-time', 1);
  const maxEjectionMs = atLeast('max-ejection-time', 1);
  if (maxEjectionMs < ejectionMs)
    throw new UsageError('--max-ejection-time must be at least --ejection-time');
  return {
    limits: {
      maxHeaderBytes: atLeast('max-header-size', 1024),
      requestReadTimeoutMs: atLeast('request-read-timeout', 1),
      maxConcurrentRequests: atLeast('max-concurrent-requests', 0),
      maxRequestsPerEndpoint: atLeast('max-requests-per-endpoint', 0),
    },
    retryOn: retryConditions(f['retry-on'] as string),
    health: {
      ejectAfterFailures: atLeast('eject-after-failures', 1),
      ejectionMs,
      maxEjectionMs,
      checkIntervalMs: atLeast('health-check-interval', 0),
      checkTimeoutMs: atLeast('health-check-timeout', 1),
      checkPath: path,
      unhealthyThreshold: atLeast('unhealthy-threshold', 1),
      healthyThreshold: atLeast('healthy-threshold', 1),
    },
  };
}

function retryConditions(text: string): RetryCondition[] {
  const items = text
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (items.length === 1 && items[0] === 'none') return [];
  for (const item of items) {
    if (!(RETRY_CONDITIONS as readonly string[]).includes(item))
      throw new UsageError(
        `invalid value "${text}" for --retry-on: expected a comma-separated list of ${RETRY_CONDITIONS.join(', ')}, or none`,
      );
  }
  return [...new Set(items)] as RetryCondition[];
}
