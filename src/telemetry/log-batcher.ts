/**
 * Hands log lines to their destination in batches: one write per `batchBytes` of lines, or
 * after `maxDelayMs` when fewer came. pino's async destination (sonic-boom) makes one
 * `write` syscall (through the thread pool) per call when it can, and while a write is in
 * flight it appends each new line to one growing string that it measures, which copies it
 * every time; batching before it removes both costs from a busy gateway.
 */
export interface LineDestination {
  write(text: string): unknown;
}

export class LogBatcher {
  private lines: string[] = [];
  private bytes = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly destination: LineDestination,
    private readonly batchBytes: number,
    private readonly maxDelayMs: number,
  ) {}

  /** Queues one line (pino calls this with each serialised line). */
  write(line: string): boolean {
    this.lines.push(line);
    this.bytes += line.length;
    if (this.bytes >= this.batchBytes) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.maxDelayMs);
      this.timer.unref();
    }
    return true;
  }

  /** Passes every queued line on now, as one write. */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.lines.length === 0) return;
    const text = this.lines.length === 1 ? this.lines[0]! : this.lines.join('');
    this.lines = [];
    this.bytes = 0;
    this.destination.write(text);
  }
}
