/**
 * Tracks requests in flight and the draining state, for graceful shutdown and `/health`.
 */
export class Lifecycle {
  private active = 0;
  private isDraining = false;
  private waiters: (() => void)[] = [];

  get draining(): boolean {
    return this.isDraining;
  }

  get inFlight(): number {
    return this.active;
  }

  /** Counts a request until its response closes. */
  track(res: { once(event: 'close', fn: () => void): unknown }): void {
    this.active++;
    res.once('close', () => {
      this.active--;
      if (this.active === 0) for (const wake of this.waiters.splice(0)) wake();
    });
  }

  startDraining(): void {
    this.isDraining = true;
  }

  /** Resolves true when nothing is in flight, false when `deadlineMs` passes first. */
  idle(deadlineMs: number): Promise<boolean> {
    if (this.active === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), deadlineMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}
