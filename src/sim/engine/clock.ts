/**
 * The engine's notion of time. Engine time is in milliseconds of the simulated GPU; the
 * scaled clock maps it to wall time (`--time-scale 0.01` runs a hundred times faster).
 * The engine computes every latency from its model in engine time, so its reported
 * numbers do not depend on how promptly the host runs timers.
 */
import { performance } from 'node:perf_hooks';

const MAX_TIMER_MS = 2 ** 31 - 1;

export interface Clock {
  /** Current engine time, ms. */
  now(): number;
  /** Runs `fn` once engine time reaches `at` (possibly a little later). Returns a cancel function. */
  schedule(at: number, fn: () => void): () => void;
  /** Events due within this many engine ms of now are handled together (one timer tick). */
  readonly resolutionMs: number;
}

/** Wall-clock time divided by `timeScale`. */
export class ScaledClock implements Clock {
  private readonly origin = performance.now();
  readonly resolutionMs: number;

  constructor(private readonly timeScale: number) {
    if (!(timeScale > 0)) throw new RangeError('timeScale must be > 0');
    // A node timer fires no sooner than 1 wall ms; group what falls inside one.
    this.resolutionMs = 1 / timeScale;
  }

  now(): number {
    return (performance.now() - this.origin) / this.timeScale;
  }

  schedule(at: number, fn: () => void): () => void {
    // Node fires over-long timers at once; a capped one fires early and is simply re-armed.
    const delay = Math.min(Math.max(0, (at - this.now()) * this.timeScale), MAX_TIMER_MS);
    const timer = setTimeout(fn, delay);
    return () => clearTimeout(timer);
  }
}

/** A clock that moves only when told to: for unit tests of the scheduler. */
export class ManualClock implements Clock {
  readonly resolutionMs = 0;
  private time = 0;
  private timers: { at: number; fn: () => void; live: boolean }[] = [];

  now(): number {
    return this.time;
  }

  schedule(at: number, fn: () => void): () => void {
    const timer = { at, fn, live: true };
    this.timers.push(timer);
    return () => {
      timer.live = false;
    };
  }

  /** Timers scheduled and neither fired nor cancelled. */
  get pendingTimers(): number {
    return this.timers.filter((t) => t.live).length;
  }

  /** Moves time forward by `ms`, running every timer that comes due, in time order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      this.timers = this.timers.filter((t) => t.live);
      const next = this.timers.reduce<(typeof this.timers)[number] | undefined>(
        (best, t) => (t.at <= end && (!best || t.at < best.at) ? t : best),
        undefined,
      );
      if (!next) break;
      next.live = false;
      this.time = Math.max(this.time, next.at);
      next.fn();
    }
    this.time = end;
  }

  /** Advances until no timer is pending (bounded, so a bug cannot spin forever). */
  runAll(maxMs = 1e9): void {
    const stop = this.time + maxMs;
    for (;;) {
      const pending = this.timers.filter((t) => t.live);
      if (pending.length === 0 || this.time >= stop) return;
      const next = Math.min(...pending.map((t) => t.at));
      this.advance(Math.max(0, next - this.time));
    }
  }
}
