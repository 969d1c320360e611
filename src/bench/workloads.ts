/**
 * Named, seeded workloads for `switchyard bench`. A workload is a list of flows; a flow is
 * one user's sequence of chat turns: its first turn starts at `startMs`, each later turn
 * after the previous answer arrived plus a think time. A turn's messages are the whole
 * conversation so far, with the answers the engine actually gave, as a real client sends.
 *
 * - `shared-prefix`: groups of users sharing one long system context (a document, a
 *   codebase, a long agent prompt), each asking their own short question. Open loop:
 *   one-turn flows arriving as a Poisson process.
 * - `multi-turn`: conversations that grow turn by turn on a short common system prompt;
 *   each conversation sends `x-session-id`.
 * - `uniform`: unrelated prompts of varied length with nothing to share (the control).
 */
import { prose, Seeded } from './seeded.js';

export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

export interface Turn {
  readonly user: string;
  readonly maxTokens: number;
  /** Pause after the previous answer, in engine ms (0 for a first turn). */
  readonly thinkMs: number;
}

export interface Flow {
  readonly id: string;
  readonly startMs: number;
  readonly system?: string;
  readonly turns: readonly Turn[];
  /** Sent as `x-session-id` when set. */
  readonly session?: string;
}

export interface WorkloadSpec {
  readonly name: WorkloadName;
  readonly seed: number;
  /** Requests in total (turns over all flows). */
  readonly requests: number;
  /** Mean new flows per second. */
  readonly rate: number;
}

export const WORKLOADS = ['shared-prefix', 'multi-turn', 'uniform'] as const;
export type WorkloadName = (typeof WORKLOADS)[number];

export interface Workload {
  readonly name: WorkloadName;
  readonly description: string;
  readonly flows: readonly Flow[];
}

export function buildWorkload(spec: WorkloadSpec): Workload {
  switch (spec.name) {
    case 'shared-prefix':
      return sharedPrefix(spec);
    case 'multi-turn':
      return multiTurn(spec);
    case 'uniform':
      return uniform(spec);
  }
}

/** Sizes of the shared-prefix workload. */
export const SHARED_PREFIX = {
  groups: 24,
  contextTokens: [1600, 2400],
  questionTokens: [20, 80],
  output: [32, 96],
};

function sharedPrefix(spec: WorkloadSpec): Workload {
  const random = new Seeded(spec.seed);
  const [minCtx, maxCtx] = SHARED_PREFIX.contextTokens;
  const contexts = Array.from(
    { length: SHARED_PREFIX.groups },
    (_, g) =>
      `Context ${g + 1}. You answer questions about the following material. ${prose(random, random.int(minCtx!, maxCtx!))}`,
  );
  const flows: Flow[] = [];
  let at = 0;
  for (let i = 0; i < spec.requests; i++) {
    at += random.exponential(1000 / spec.rate);
    const group = random.int(0, contexts.length - 1);
    flows.push({
      id: `r${i}`,
      startMs: at,
      system: contexts[group]!,
      turns: [
        {
          user: question(random, SHARED_PREFIX.questionTokens),
          maxTokens: random.int(SHARED_PREFIX.output[0]!, SHARED_PREFIX.output[1]!),
          thinkMs: 0,
        },
      ],
    });
  }
  return {
    name: 'shared-prefix',
    description: `${SHARED_PREFIX.groups} groups sharing a ${minCtx}-${maxCtx} token context; one short question per request; Poisson arrivals at ${spec.rate}/s`,
    flows,
  };
}

/** Sizes of the multi-turn workload. */
export const MULTI_TURN = { turns: [3, 8], firstTokens: [200, 600], followTokens: [30, 120], thinkMs: 1500 };

function multiTurn(spec: WorkloadSpec): Workload {
  const random = new Seeded(spec.seed);
  const system = `You are a patient assistant. ${prose(random, 60)}`;
  const flows: Flow[] = [];
  let at = 0;
  let planned = 0;
  for (let c = 0; planned < spec.requests; c++) {
    at += random.exponential(1000 / spec.rate);
    const count = Math.min(random.int(MULTI_TURN.turns[0]!, MULTI_TURN.turns[1]!), spec.requests - planned);
    const turns: Turn[] = [];
    for (let t = 0; t < count; t++) {
      turns.push({
        user: question(random, t === 0 ? MULTI_TURN.firstTokens : MULTI_TURN.followTokens),
        maxTokens: random.int(48, 128),
        thinkMs: t === 0 ? 0 : random.exponential(MULTI_TURN.thinkMs),
      });
    }
    planned += count;
    flows.push({ id: `c${c}`, startMs: at, system, turns, session: `bench-conversation-${c}` });
  }
  return {
    name: 'multi-turn',
    description: `conversations of ${MULTI_TURN.turns[0]}-${MULTI_TURN.turns[1]} turns that grow with every answer, on a short shared system prompt; new conversations at ${spec.rate}/s`,
    flows,
  };
}

/** Sizes of the uniform workload. */
export const UNIFORM = { promptTokens: [400, 1600], output: [32, 96] };

function uniform(spec: WorkloadSpec): Workload {
  const random = new Seeded(spec.seed);
  const flows: Flow[] = [];
  let at = 0;
  for (let i = 0; i < spec.requests; i++) {
    at += random.exponential(1000 / spec.rate);
    flows.push({
      id: `r${i}`,
      startMs: at,
      turns: [
        {
          user: `Request ${i}: ${prose(random, random.int(UNIFORM.promptTokens[0]!, UNIFORM.promptTokens[1]!))}`,
          maxTokens: random.int(UNIFORM.output[0]!, UNIFORM.output[1]!),
          thinkMs: 0,
        },
      ],
    });
  }
  return {
    name: 'uniform',
    description: `unrelated prompts of ${UNIFORM.promptTokens[0]}-${UNIFORM.promptTokens[1]} tokens, nothing shared; Poisson arrivals at ${spec.rate}/s`,
    flows,
  };
}

function question(random: Seeded, [min, max]: readonly number[]): string {
  return `${prose(random, random.int(min!, max!))} What do you think?`;
}
