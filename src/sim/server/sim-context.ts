import type { Engine } from '../engine/engine.js';
import type { FaultInjector } from './fault-injector.js';
import type { SimMetrics } from './sim-metrics.js';
import type { SimOptions } from './sim-options.js';

/** The minimal logger the simulator writes to (pino's signature). */
export interface SimLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Everything a simulator request handler may use; one per engine, shared by its requests. */
export interface SimContext {
  readonly options: SimOptions;
  readonly engine: Engine;
  readonly metrics: SimMetrics;
  readonly faults: FaultInjector;
  /** This engine's id, as `kv_transfer_params.remote_engine_id` names it. */
  readonly engineId: string;
  /** Longest prompt + answer accepted: `--max-model-len`, capped by the KV cache. */
  readonly maxModelLen: number;
  /** Unix seconds when the engine started (`created` of its models). */
  readonly startedAt: number;
  readonly logger: SimLogger;
}
