/**
 * The gateway-wide concurrency limit (`--max-concurrent-requests`): inference requests
 * beyond it are refused at once with a 429 and `retry-after`, before their body is read,
 * so overload sheds load instead of queueing it until everything times out.
 * Shared by all requests; single-threaded, so a check and its increment cannot interleave.
 */
export class ConcurrencyLimit {
  private active = 0;

  /** @param max requests served at once; 0 means no limit. */
  constructor(readonly max: number) {}

  get inFlight(): number {
    return this.active;
  }

  /**
   * Takes a slot for the request answered by `res`, freed when the response closes (finished,
   * failed or abandoned). Returns false, taking nothing, when every slot is taken.
   */
  tryAdmit(res: { once(event: 'close', fn: () => void): unknown }): boolean {
    if (this.max > 0 && this.active >= this.max) return false;
    this.active++;
    res.once('close', () => {
      this.active--;
    });
    return true;
  }
}
