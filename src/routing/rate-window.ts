/**
 * A count per second over a sliding window, kept in fixed time buckets so adding and
 * reading cost the same however busy the endpoint is.
 */
export class RateWindow {
  private readonly counts: Float64Array;
  private readonly starts: Float64Array;

  constructor(
    private readonly clock: () => number,
    readonly windowMs = 10_000,
    private readonly bucketMs = 250,
  ) {
    const buckets = Math.ceil(windowMs / bucketMs);
    this.counts = new Float64Array(buckets);
    this.starts = new Float64Array(buckets).fill(Number.NEGATIVE_INFINITY);
  }

  add(amount: number): void {
    if (!(amount > 0)) return;
    const now = this.clock();
    const start = Math.floor(now / this.bucketMs) * this.bucketMs;
    const i = Math.floor(now / this.bucketMs) % this.counts.length;
    if (this.starts[i] !== start) {
      this.starts[i] = start;
      this.counts[i] = 0;
    }
    this.counts[i]! += amount;
  }

  /** The amount added over the last `windowMs` (whole buckets), per second. */
  perSecond(): number {
    const oldest = this.clock() - this.windowMs;
    let sum = 0;
    for (let i = 0; i < this.counts.length; i++) if (this.starts[i]! > oldest) sum += this.counts[i]!;
    return sum / (this.windowMs / 1000);
  }
}
