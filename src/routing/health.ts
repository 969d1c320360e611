/**
 * Passive health (outlier ejection): an endpoint that fails `consecutiveFailures` times in
 * a row without a success is skipped by every algorithm for an interval that doubles with
 * each ejection in a row (`baseEjectionMs` .. `maxEjectionMs`), then readmitted; one
 * success resets it. Only failures before any response byte count (refused, reset,
 * connect timeout): a model server's own 4xx/5xx answers are not outliers.
 */
import type { EndpointState } from './endpoint-state.js';

export interface EjectionPolicy {
  readonly consecutiveFailures: number;
  readonly baseEjectionMs: number;
  readonly maxEjectionMs: number;
}

export const DEFAULT_EJECTION: EjectionPolicy = {
  consecutiveFailures: 1,
  baseEjectionMs: 1_000,
  maxEjectionMs: 30_000,
};

export class PassiveHealth {
  constructor(
    private readonly policy: EjectionPolicy,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Records a failure; returns true when it ejected the endpoint. */
  recordFailure(state: EndpointState): boolean {
    state.consecutiveFailures++;
    if (state.consecutiveFailures < this.policy.consecutiveFailures) return false;
    const interval = Math.min(this.policy.maxEjectionMs, this.policy.baseEjectionMs * 2 ** state.ejections);
    state.ejections++;
    state.consecutiveFailures = 0;
    state.ejectedUntil = this.clock() + interval;
    return true;
  }

  recordSuccess(state: EndpointState): void {
    state.consecutiveFailures = 0;
    state.ejections = 0;
  }
}
