/**
 * The embedded default fleet: several simulated engines in the calling process, on free
 * loopback ports. `switchyard run` starts one when no model servers are configured:
 * `replicas` engines serving a small model, plus one prefill/decode pair serving a
 * larger, slower model (a roleset, in AIBrix terms).
 */
import type { SimLogger } from './server/sim-context.js';
import {
  DEFAULT_SIM_MODEL,
  DEFAULT_SIM_OPTIONS,
  type SimOptions,
  type SimRole,
} from './server/sim-options.js';
import { SimServer } from './server/sim-server.js';

export const FLEET_PD_MODEL = 'Qwen/Qwen3-32B';

export interface FleetSpec {
  /** Engines serving the replicated model (>= 1). */
  readonly replicas: number;
  readonly timeScale: number;
  readonly seed?: number;
}

export interface FleetEngine {
  readonly host: string;
  readonly port: number;
  readonly role: SimRole;
}

/** What the fleet serves, in the shape `config/embedded-fleet.ts` translates into routes. */
export interface FleetLayout {
  readonly name: string;
  readonly endpoints?: readonly FleetEngine[];
  readonly rolesets?: readonly {
    name: string;
    prefill: readonly FleetEngine[];
    decode: readonly FleetEngine[];
  }[];
}

/** A larger model: slower prefill and decode than the default engine. */
const LARGE_MODEL: Partial<SimOptions> = { prefillMsPerToken: 0.4, decodeMsPerToken: 30, ttftOverheadMs: 25 };

export class EmbeddedFleet {
  private constructor(
    readonly layout: readonly FleetLayout[],
    private readonly servers: readonly SimServer[],
  ) {}

  static async start(spec: FleetSpec, logger: SimLogger): Promise<EmbeddedFleet> {
    if (!Number.isInteger(spec.replicas) || spec.replicas < 1) throw new RangeError('replicas must be >= 1');
    const servers: SimServer[] = [];
    const engine = async (
      model: string,
      role: SimRole,
      extra: Partial<SimOptions> = {},
    ): Promise<FleetEngine> => {
      const server = await SimServer.start(
        {
          ...DEFAULT_SIM_OPTIONS,
          ...extra,
          host: '127.0.0.1',
          port: 0,
          models: [model],
          role,
          timeScale: spec.timeScale,
          seed: spec.seed ?? 0,
        },
        logger,
      );
      servers.push(server);
      return { host: '127.0.0.1', port: server.port, role };
    };
    try {
      const replicas: FleetEngine[] = [];
      for (let i = 0; i < spec.replicas; i++) replicas.push(await engine(DEFAULT_SIM_MODEL, 'both'));
      const prefill = await engine(FLEET_PD_MODEL, 'prefill', LARGE_MODEL);
      const decode = await engine(FLEET_PD_MODEL, 'decode', LARGE_MODEL);
      return new EmbeddedFleet(
        [
          { name: DEFAULT_SIM_MODEL, endpoints: replicas },
          { name: FLEET_PD_MODEL, rolesets: [{ name: 'default', prefill: [prefill], decode: [decode] }] },
        ],
        servers,
      );
    } catch (err) {
      await Promise.all(servers.map((s) => s.close()));
      throw err;
    }
  }

  /** Stops every engine (cutting open streams). */
  async close(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.close()));
  }
}
