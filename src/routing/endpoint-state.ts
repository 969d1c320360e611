/**
 * Live state of every upstream endpoint, shared by all requests and all routers.
 *
 * One `EndpointState` per address (`host:port`), even when several models use it, because
 * load on an engine is shared. Counters are only changed by the request pipeline and the
 * health/metrics pollers; routers read them through `EndpointView`.
 */
import type { EndpointSpec } from '../config/model.js';
import { RateWindow } from './rate-window.js';

/** What an engine's own `/metrics` said at `scrapedAt` (vLLM names, see routing issue). */
export interface EngineMetrics {
  readonly scrapedAt: number;
  readonly kvCacheUsage?: number;
  readonly running?: number;
  readonly waiting?: number;
}

/** Exponentially weighted moving average; `undefined` until the first sample. */
export class Ewma {
  private current: number | undefined;
  constructor(private readonly alpha = 0.2) {}
  add(sample: number): void {
    this.current = this.current === undefined ? sample : this.current + this.alpha * (sample - this.current);
  }
  get value(): number | undefined {
    return this.current;
  }
}

/** Read-only view routers receive. */
export interface EndpointView {
  readonly spec: EndpointSpec;
  readonly id: string;
  /** Requests the gateway has sent to this endpoint that have not finished. */
  readonly inFlight: number;
  readonly healthy: boolean;
  readonly engine: EngineMetrics | undefined;
  /** True when `engine` is missing or older than the staleness bound. */
  readonly engineStale: boolean;
  /** Gateway-measured moving averages, in ms; undefined before the first sample. */
  readonly ttftMs: number | undefined;
  readonly tpotMs: number | undefined;
  /** Output tokens per second delivered by this endpoint over the recent window (10 s). */
  readonly recentTokensPerSecond: number;
  /** Prompt tokens per second sent to this endpoint over the recent window (estimated at dispatch). */
  readonly recentPromptTokensPerSecond: number;
}

export class EndpointState implements EndpointView {
  inFlight = 0;
  engine: EngineMetrics | undefined;
  readonly ttft = new Ewma();
  readonly tpot = new Ewma();
  private readonly outputTokens: RateWindow;
  private readonly promptTokens: RateWindow;
  /** Passive health: the endpoint is skipped until this time (ms since epoch). */
  ejectedUntil = 0;
  /** How many times in a row it has been ejected; grows the next ejection. */
  ejections = 0;
  /** Failures since the last success. */
  consecutiveFailures = 0;
  /** Active health: false while the last `/health` probe failed. */
  probeHealthy = true;

  constructor(
    readonly spec: EndpointSpec,
    private readonly clock: () => number,
    private readonly staleAfterMs: number,
    windowMs = 10_000,
  ) {
    this.outputTokens = new RateWindow(clock, windowMs);
    this.promptTokens = new RateWindow(clock, windowMs);
  }

  get id(): string {
    return this.spec.id;
  }

  get healthy(): boolean {
    return this.probeHealthy && this.clock() >= this.ejectedUntil;
  }

  get engineStale(): boolean {
    return this.engine === undefined || this.clock() - this.engine.scrapedAt > this.staleAfterMs;
  }

  get ttftMs(): number | undefined {
    return this.ttft.value;
  }

  get tpotMs(): number | undefined {
    return this.tpot.value;
  }

  get recentTokensPerSecond(): number {
    return this.outputTokens.perSecond();
  }

  get recentPromptTokensPerSecond(): number {
    return this.promptTokens.perSecond();
  }

  /** Records that `tokens` output tokens were delivered now. */
  addOutputTokens(tokens: number): void {
    this.outputTokens.add(tokens);
  }

  /** Records that a prompt of about `tokens` tokens was sent now. */
  addPromptTokens(tokens: number): void {
    this.promptTokens.add(tokens);
  }
}

export interface EndpointRegistryOptions {
  readonly clock?: () => number;
  /** Engine metrics older than this are treated as missing. */
  readonly staleAfterMs?: number;
}

export class EndpointRegistry {
  private readonly states = new Map<string, EndpointState>();
  private readonly clock: () => number;
  private readonly staleAfterMs: number;

  constructor(options: EndpointRegistryOptions = {}) {
    this.clock = options.clock ?? Date.now;
    this.staleAfterMs = options.staleAfterMs ?? 5_000;
  }

  /** The state for `spec`, created on first use. */
  state(spec: EndpointSpec): EndpointState {
    let state = this.states.get(spec.id);
    if (!state) {
      state = new EndpointState(spec, this.clock, this.staleAfterMs);
      this.states.set(spec.id, state);
    }
    return state;
  }

  all(): EndpointState[] {
    return [...this.states.values()];
  }
}
