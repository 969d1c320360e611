/**
 * The traffic generator's seeded mix: which request comes next. The prompts are the
 * bench's workloads (`bench/workloads.ts`): shared-prefix questions over long shared
 * contexts and multi-turn conversations; on top of them come the kinds of requests a lab
 * should show: streams, a prefill/decode model, embeddings, legacy completions and a few
 * errors, each from a tenant. The same seed gives the same sequence of jobs.
 */
import { Seeded } from '../bench/seeded.js';
import { buildWorkload, type Flow } from '../bench/workloads.js';

export const JOB_KINDS = [
  'shared-prefix',
  'conversation',
  'pd-chat',
  'embeddings',
  'completion',
  'unknown-model',
  'bad-request',
] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/**
 * Shares of each kind among the good requests (summing to 1) and among the errors (idem);
 * `errorShare` says how many jobs are errors.
 */
export const DEFAULT_MIX: Readonly<Record<JobKind, number>> = {
  'shared-prefix': 0.4,
  conversation: 0.2,
  'pd-chat': 0.15,
  embeddings: 0.15,
  completion: 0.1,
  'unknown-model': 0.5,
  'bad-request': 0.5,
};

export interface MixOptions {
  readonly seed: number;
  readonly tenants: readonly string[];
  /** Share of chats sent with `stream: true`. */
  readonly streamShare: number;
  /** Share of jobs that are deliberate errors (unknown model, invalid body). */
  readonly errorShare: number;
}

export interface Job {
  readonly id: number;
  readonly kind: JobKind;
  readonly tenant: string;
  readonly stream: boolean;
  /** The prompt(s): one turn, or a whole conversation for `conversation`. */
  readonly flow: Flow;
}

/** Flows drawn in order from a seeded workload, rebuilt with the next seed when used up. */
class FlowPool {
  private flows: readonly Flow[] = [];
  private next = 0;
  private round = 0;

  constructor(
    private readonly workload: 'shared-prefix' | 'multi-turn',
    private readonly seed: number,
  ) {}

  take(): Flow {
    if (this.next >= this.flows.length) {
      const seed = this.seed * 1000 + this.round;
      this.flows = buildWorkload({ name: this.workload, seed, requests: 200, rate: 1 }).flows;
      this.next = 0;
      this.round++;
    }
    const flow = this.flows[this.next++]!;
    // Session ids unique across rounds and generators with other seeds.
    return flow.session ? { ...flow, session: `traffic-${this.seed}-${this.round}-${flow.session}` } : flow;
  }
}

export class TrafficMix {
  private readonly random: Seeded;
  private readonly sharedPrefix: FlowPool;
  private readonly conversations: FlowPool;
  private readonly weights: [JobKind, number][];
  private readonly tenantWeights: number[];
  private count = 0;

  constructor(private readonly options: MixOptions) {
    this.random = new Seeded(options.seed);
    this.sharedPrefix = new FlowPool('shared-prefix', options.seed);
    this.conversations = new FlowPool('multi-turn', options.seed);
    const errors = options.errorShare;
    this.weights = JOB_KINDS.map((kind) => {
      const w = DEFAULT_MIX[kind];
      return [kind, kind === 'unknown-model' || kind === 'bad-request' ? w * errors : w * (1 - errors)];
    });
    // Tenants get decreasing shares (50 %, 30 %, 20 % for three), so the tenant panels differ.
    this.tenantWeights = options.tenants.map((_, i) => 1 / (i + 1));
  }

  nextJob(): Job {
    const kind = this.weighted(
      this.weights.map(([, w]) => w),
      JOB_KINDS,
    );
    const tenant = this.weighted(this.tenantWeights, this.options.tenants);
    const stream = this.random.next() < this.options.streamShare;
    const flow = kind === 'conversation' ? this.conversations.take() : this.sharedPrefix.take();
    return { id: this.count++, kind, tenant, stream, flow };
  }

  private weighted<T>(weights: readonly number[], items: readonly T[]): T {
    const total = weights.reduce((a, b) => a + b, 0);
    let at = this.random.next() * total;
    for (const [i, w] of weights.entries()) {
      at -= w;
      if (at < 0) return items[i]!;
    }
    return items[items.length - 1]!;
  }
}
