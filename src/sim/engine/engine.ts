/**
 * The simulated engine core: a continuous-batching scheduler in vLLM's style, independent
 * of HTTP. One instance per simulated engine; single-threaded, not re-entrant.
 *
 * - Requests enter a FIFO waiting queue. The head is admitted when a batch slot is free
 *   (`maxNumSeqs`) and the KV cache can reserve its blocks; a head that does not fit
 *   blocks the queue behind it (first come, first served, as vLLM's default policy).
 * - An admitted sequence reuses cached prefix blocks and pays prefill only for the rest
 *   (or, for a decode engine handed remote KV, the transfer). Prefills run one at a time.
 * - Then it emits one token per decode step; a step's length grows with the batch size
 *   (see `latency.ts`). An aborted sequence leaves the batch and frees its slot at once.
 *
 * Time is discrete-event: every event has an exact engine time computed from the model,
 * and one timer, armed for the earliest event, paces them against the clock. Reported
 * latencies are therefore the model's, not the host's timer jitter.
 */
import type { Clock } from './clock.js';
import { type Allocation, KvCache } from './kv-cache.js';
import { type LatencyModel, prefillMs, tpotMs, transferMs } from './latency.js';
import { MinHeap } from './min-heap.js';

export interface EngineConfig extends LatencyModel {
  readonly kvBlocks: number;
  readonly blockSize: number;
}

export type FinishReason = 'stop' | 'length' | 'abort';

export interface SequenceSpec {
  /** Prompt token ids followed by the answer's token ids. */
  readonly tokens: readonly number[];
  readonly promptLength: number;
  /** Tokens to generate; 0 means prefill only (embeddings). */
  readonly outputLength: number;
  /** `remote`: the prompt's KV comes from a prefill engine (pays transfer, not prefill). */
  readonly prefill: 'compute' | 'remote';
  /** Whether this sequence may reuse and publish cached blocks (pooling requests do not). */
  readonly prefixCache: boolean;
  /** The reason reported when the sequence ends on its own. */
  readonly finishReason: 'stop' | 'length';
}

/** One sequence's life, in engine ms. Fields fill in as it progresses. */
export interface SequenceRecord {
  readonly id: number;
  readonly spec: SequenceSpec;
  readonly arrivedAt: number;
  readonly scheduledAt: number | undefined;
  readonly firstTokenAt: number | undefined;
  readonly finishedAt: number | undefined;
  /** Prompt tokens found in the prefix cache (0 until scheduled). */
  readonly cachedTokens: number;
  /** Output tokens emitted so far. */
  readonly generated: number;
  readonly finishReason: FinishReason | undefined;
  /** KV block ids holding the prompt (empty until scheduled). */
  readonly promptBlockIds: readonly number[];
}

/** Per-request callbacks; called synchronously from the engine, must not throw. */
export interface SequenceListener {
  /** Output token `index` (0-based) is ready. */
  onToken?(seq: SequenceRecord, index: number): void;
  /** Called exactly once: finished on its own or aborted. */
  onFinished(seq: SequenceRecord): void;
}

/** Engine-wide hooks (metrics). Must not throw. */
export interface EngineObserver {
  scheduled?(seq: SequenceRecord): void;
  /** `sinceLastMs` is undefined for the first token. */
  token?(seq: SequenceRecord, index: number, sinceLastMs: number | undefined): void;
  finished?(seq: SequenceRecord): void;
  /** A listener or observer threw (a bug); the engine carried on. */
  listenerFailed?(err: unknown): void;
}

export interface EngineStats {
  readonly running: number;
  readonly waiting: number;
  /** Fraction of KV blocks held by sequences, 0..1. */
  readonly kvUsage: number;
}

class Sequence implements SequenceRecord {
  scheduledAt: number | undefined;
  firstTokenAt: number | undefined;
  finishedAt: number | undefined;
  lastTokenAt = 0;
  cachedTokens = 0;
  generated = 0;
  finishReason: FinishReason | undefined;
  allocation: Allocation | undefined;
  promptBlockIds: readonly number[] = [];

  constructor(
    readonly id: number,
    readonly spec: SequenceSpec,
    readonly arrivedAt: number,
    readonly hashes: readonly number[],
    readonly listener: SequenceListener,
  ) {}

  get done(): boolean {
    return this.finishReason !== undefined;
  }
}

interface TokenEvent {
  readonly at: number;
  readonly order: number;
  readonly seq: Sequence;
  readonly index: number;
}

export class Engine {
  readonly kv: KvCache;
  private readonly waiting: Sequence[] = [];
  private readonly running = new Set<Sequence>();
  private readonly events = new MinHeap<TokenEvent>(
    (a, b) => a.at < b.at || (a.at === b.at && a.order < b.order),
  );
  private nextId = 1;
  private nextOrder = 0;
  private prefillFreeAt = 0;
  private armedAt: number | undefined;
  private cancelTimer: (() => void) | undefined;
  private catchingUp = false;

  constructor(
    readonly config: EngineConfig,
    private readonly clock: Clock,
    private readonly observer: EngineObserver = {},
  ) {
    if (!Number.isInteger(config.maxNumSeqs) || config.maxNumSeqs < 1)
      throw new RangeError('maxNumSeqs must be >= 1');
    this.kv = new KvCache(config.kvBlocks, config.blockSize);
  }

  /** Longest sequence (prompt + answer) that can ever be admitted. */
  get maxSequenceTokens(): number {
    return this.kv.capacityTokens;
  }

  /** Queues a sequence. Throws RangeError when it could never fit in the KV cache. */
  submit(spec: SequenceSpec, listener: SequenceListener): SequenceRecord {
    if (spec.promptLength < 1 || spec.tokens.length < spec.promptLength)
      throw new RangeError('a sequence needs at least one prompt token');
    if (spec.promptLength + spec.outputLength > this.maxSequenceTokens)
      throw new RangeError(
        `a sequence of ${spec.promptLength + spec.outputLength} tokens cannot fit the KV cache`,
      );
    this.catchUp();
    const hashes = spec.prefixCache ? KvCache.blockHashes(spec.tokens, this.config.blockSize) : [];
    const seq = new Sequence(this.nextId++, spec, this.clock.now(), hashes, listener);
    this.waiting.push(seq);
    this.admit(seq.arrivedAt);
    this.arm();
    return seq;
  }

  /** Removes a sequence at once (client gone): frees its slot and blocks. No-op when done. */
  abort(record: SequenceRecord): void {
    const seq = record as Sequence;
    this.catchUp();
    if (seq.done) return;
    const now = this.clock.now();
    const queued = this.waiting.indexOf(seq);
    if (queued >= 0) this.waiting.splice(queued, 1);
    this.finish(seq, Math.max(now, seq.scheduledAt ?? seq.arrivedAt), 'abort');
    this.admit(now);
    this.arm();
  }

  stats(): EngineStats {
    this.catchUp();
    this.arm();
    return { running: this.running.size, waiting: this.waiting.length, kvUsage: this.kv.usage };
  }

  /** Stops the timer; queued and running sequences stay where they are. */
  stop(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.armedAt = undefined;
  }

  private admit(at: number): void {
    const { config } = this;
    while (this.waiting.length > 0 && this.running.size < config.maxNumSeqs) {
      const seq = this.waiting[0]!;
      const { spec } = seq;
      const allocation = this.kv.allocate(
        seq.hashes,
        spec.promptLength,
        spec.promptLength + spec.outputLength,
      );
      if (!allocation) break;
      this.waiting.shift();
      this.running.add(seq);
      const start = Math.max(at, seq.arrivedAt);
      seq.scheduledAt = start;
      seq.allocation = allocation;
      seq.cachedTokens = allocation.cachedTokens;
      seq.promptBlockIds = allocation.blockIds.slice(0, this.kv.blocksFor(spec.promptLength));
      const uncached = spec.promptLength - allocation.cachedTokens;
      let ready: number;
      if (spec.prefill === 'remote') {
        ready = start + transferMs(config, uncached);
      } else {
        ready = Math.max(start, this.prefillFreeAt) + prefillMs(config, uncached);
        this.prefillFreeAt = ready;
      }
      this.push(ready + config.ttftOverheadMs, seq, 0);
      this.safely(() => this.observer.scheduled?.(seq));
    }
  }

  private handle(event: TokenEvent): void {
    const { seq, index, at } = event;
    if (seq.done) return;
    const { spec } = seq;
    if (index === 0) {
      seq.firstTokenAt = at;
      this.kv.commit(seq.allocation!, seq.hashes, Math.floor(spec.promptLength / this.config.blockSize));
      if (spec.outputLength === 0) {
        this.finish(seq, at, spec.finishReason);
        return;
      }
    }
    seq.generated = index + 1;
    const sinceLast = index === 0 ? undefined : at - seq.lastTokenAt;
    seq.lastTokenAt = at;
    this.safely(() => this.observer.token?.(seq, index, sinceLast));
    this.safely(() => seq.listener.onToken?.(seq, index));
    if (seq.done) return; // the listener aborted it
    if (seq.generated >= spec.outputLength) this.finish(seq, at, spec.finishReason);
    else this.push(at + tpotMs(this.config, this.running.size), seq, index + 1);
  }

  private finish(seq: Sequence, at: number, reason: FinishReason): void {
    seq.finishReason = reason;
    seq.finishedAt = at;
    if (this.running.delete(seq) && seq.allocation) {
      const computed = seq.firstTokenAt === undefined ? 0 : seq.spec.promptLength + seq.generated;
      this.kv.commit(seq.allocation, seq.hashes, Math.floor(computed / this.config.blockSize));
      this.kv.release(seq.allocation);
    }
    this.safely(() => this.observer.finished?.(seq));
    this.safely(() => seq.listener.onFinished(seq));
    if (reason !== 'abort') this.admit(at);
  }

  private push(at: number, seq: Sequence, index: number): void {
    this.events.push({ at, order: this.nextOrder++, seq, index });
  }

  /** Handles every event due by now (within the clock's resolution). */
  private catchUp(): void {
    if (this.catchingUp) return; // re-entered from a listener: the outer loop goes on
    this.catchingUp = true;
    try {
      const horizon = this.clock.now() + this.clock.resolutionMs;
      for (let next = this.events.peek(); next && next.at <= horizon; next = this.events.peek()) {
        this.handle(this.events.pop()!);
      }
    } finally {
      this.catchingUp = false;
    }
  }

  /** Keeps exactly one timer, set for the earliest pending event. */
  private arm(): void {
    let next = this.events.peek();
    while (next?.seq.done) {
      this.events.pop();
      next = this.events.peek();
    }
    if (!next) {
      this.stop();
      return;
    }
    if (this.armedAt === next.at) return;
    this.cancelTimer?.();
    this.armedAt = next.at;
    this.cancelTimer = this.clock.schedule(next.at, () => {
      this.armedAt = undefined;
      this.cancelTimer = undefined;
      this.catchUp();
      this.arm();
    });
  }

  /** Listeners and observers must not throw; one that does cannot stop the engine. */
  private safely(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      try {
        this.observer.listenerFailed?.(err);
      } catch {
        /* nothing left to tell */
      }
    }
  }
}
