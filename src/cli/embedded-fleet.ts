/**
 * `switchyard run` with nothing configured: start the embedded simulated fleet, route to
 * it, and tell the user how to try it. "Nothing configured" means no config file, no
 * endpoints file and no provider key (`OPENAI_API_KEY`, `AZURE_OPENAI_API_KEY`).
 */
import { fleetRoutes } from '../config/embedded-fleet.js';
import type { LoadedRoutes } from '../config/load.js';
import { EmbeddedFleet, type FleetLayout, type FleetSpec } from '../sim/fleet.js';
import type { Logger } from '../telemetry/logger.js';
import type { FlagSpec, FlagValues } from './flags.js';
import { UsageError } from './usage-error.js';

export const FLEET_FLAGS: readonly FlagSpec[] = [
  {
    name: 'sim-replicas',
    type: 'int',
    default: 3,
    value: 'N',
    help: 'Embedded fleet (when nothing is configured): engines serving the replicated model.',
  },
  {
    name: 'sim-time-scale',
    type: 'number',
    default: 1,
    value: 'X',
    help: 'Embedded fleet: multiply every simulated delay by X (0.1 = ten times faster).',
  },
];

const PROVIDER_KEYS = ['OPENAI_API_KEY', 'AZURE_OPENAI_API_KEY'] as const;

/** True when no provider key is set, so an unconfigured gateway should start the fleet. */
export function wantsEmbeddedFleet(env: NodeJS.ProcessEnv): boolean {
  return PROVIDER_KEYS.every((name) => !env[name]);
}

export interface StartedFleet {
  readonly fleet: EmbeddedFleet;
  readonly loaded: LoadedRoutes;
}

/** The fleet asked for by the `--sim-*` flags; throws UsageError for bad values (checked even when unused). */
export function fleetSpecFromFlags(flags: FlagValues): FleetSpec {
  const replicas = flags['sim-replicas'] as number;
  const timeScale = flags['sim-time-scale'] as number;
  if (!Number.isInteger(replicas) || replicas < 1)
    throw new UsageError('--sim-replicas must be an integer >= 1');
  if (!(timeScale > 0)) throw new UsageError('--sim-time-scale must be a number > 0');
  return { replicas, timeScale };
}

export async function startEmbeddedFleet(spec: FleetSpec, logger: Logger): Promise<StartedFleet> {
  const fleet = await EmbeddedFleet.start(spec, logger.child({ component: 'sim' }));
  return {
    fleet,
    loaded: {
      routes: fleetRoutes(fleet.layout),
      source: `embedded simulated fleet (${describe(fleet.layout)})`,
    },
  };
}

/** Logs the fleet and writes a human banner with a ready-to-paste curl to stderr. */
export function announceFleet(
  layout: readonly FleetLayout[],
  host: string,
  port: number,
  logger: Logger,
): void {
  const origin = `http://${host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host}:${port}`;
  const first = layout[0]!.name;
  const curl =
    `curl -s ${origin}/v1/chat/completions -H 'content-type: application/json' \\\n` +
    `    -d '{"model":"${first}","messages":[{"role":"user","content":"Hello!"}]}'`;
  logger.info(
    {
      url: origin,
      models: layout.map((m) => ({
        name: m.name,
        endpoints: (m.endpoints ?? []).map((e) => `${e.host}:${e.port}`),
        rolesets: (m.rolesets ?? []).map((r) => ({
          name: r.name,
          prefill: r.prefill.map((e) => `${e.host}:${e.port}`),
          decode: r.decode.map((e) => `${e.host}:${e.port}`),
        })),
      })),
    },
    'embedded simulated fleet ready',
  );
  const rows = layout.map((m) => {
    const engines = m.endpoints
      ? `${m.endpoints.length} replicas: ${m.endpoints.map((e) => `${e.host}:${e.port}`).join(', ')}`
      : (m.rolesets ?? [])
          .map(
            (r) =>
              `prefill ${r.prefill.map((e) => `${e.host}:${e.port}`).join(', ')} -> decode ${r.decode.map((e) => `${e.host}:${e.port}`).join(', ')}`,
          )
          .join('; ');
    return `  ${m.name.padEnd(18)}${engines}`;
  });
  process.stderr.write(
    `\nNo model servers configured: serving an embedded fleet of simulated vLLM engines.\n${rows.join('\n')}\n\n` +
      `Gateway: ${origin}   (models: ${origin}/v1/models)\nTry:\n  ${curl}\n\n`,
  );
}

function describe(layout: readonly FleetLayout[]): string {
  return layout
    .map((m) => `${m.name}: ${m.endpoints ? `${m.endpoints.length} replicas` : 'prefill/decode'}`)
    .join(', ');
}
