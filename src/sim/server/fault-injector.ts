/**
 * Seeded fault injection (`--failure-rate`, `--failure-status`): the same seed fails the
 * same positions in the sequence of requests, so a test or benchmark run can be repeated.
 */
import { hashText, seededRandom } from '../engine/hash.js';
import { type SimError, SimErrors } from './sim-errors.js';

export class FaultInjector {
  private readonly random: () => number;

  constructor(
    private readonly rate: number,
    private readonly status: number,
    seed: number,
  ) {
    this.random = seededRandom(hashText('failures', seed));
  }

  /** The error to answer this request with, or undefined to serve it. */
  next(): SimError | undefined {
    if (this.rate <= 0) return undefined;
    return this.random() < this.rate ? SimErrors.injected(this.status) : undefined;
  }
}
