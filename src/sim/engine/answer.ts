/**
 * Deterministic answers: the same seed and prompt always give the same text, one token
 * per piece (every piece is a word of at most six letters or a period, so the tokenizer
 * counts exactly `length` tokens in the joined text).
 */
import { hashInts, hashText, seededRandom } from './hash.js';

/** Shortest and longest answer when the request sets no `max_tokens`. */
export const DEFAULT_ANSWER_TOKENS = { min: 16, max: 128 } as const;

const WORDS = (
  'the a model engine token batch cache block prefix router switch server client queue ' +
  'answer prompt light quick steady small large warm cold river stone field window signal ' +
  'simple clear early late often never always under over across beside during after ' +
  'before around past within quiet bright green blue amber silver north south east west ' +
  'runs waits reads writes holds keeps moves turns sends finds takes gives makes shows ' +
  'knows counts builds learns serves routes speaks checks plans rests grows falls rises ' +
  'we you they it this that each every some many few more less most all and or but so ' +
  'then when where while with beyond from into onto about like near far here there now ' +
  'time day night year week hour minute second path road trail bridge tower garden house'
).split(' ');

// Every word must stay one token, with or without its leading space.
for (const word of WORDS) if (word.length > 6) throw new Error(`answer word "${word}" is over six letters`);

/** The answer seed of an engine: its `--seed` mixed with its (first) model name, so models differ. */
export function answerSeed(model: string, seed: number): number {
  return hashText(model, seed);
}

export interface Answer {
  /** Token strings; `pieces.join('')` is the text. */
  readonly pieces: string[];
  /** True when the length came from the request's limit rather than a natural stop. */
  readonly truncated: boolean;
}

/**
 * The answer to a prompt. `maxTokens` set: exactly that many tokens (finish reason
 * `length`). Unset: a length drawn from the seeded generator (finish reason `stop`).
 */
export function generateAnswer(seed: number, promptIds: readonly number[], maxTokens?: number): Answer {
  const random = seededRandom(hashInts(promptIds, seed));
  const span = DEFAULT_ANSWER_TOKENS.max - DEFAULT_ANSWER_TOKENS.min + 1;
  const natural = DEFAULT_ANSWER_TOKENS.min + Math.floor(random() * span);
  const length = maxTokens ?? natural;
  const pieces: string[] = [];
  let sentenceLeft = 0;
  while (pieces.length < length) {
    if (sentenceLeft === 0 && pieces.length > 0 && pieces.at(-1) !== '.') {
      pieces.push('.');
      continue;
    }
    const word = WORDS[Math.floor(random() * WORDS.length)]!;
    const startsSentence = sentenceLeft === 0;
    if (startsSentence) sentenceLeft = 5 + Math.floor(random() * 10);
    const text = startsSentence ? word[0]!.toUpperCase() + word.slice(1) : word;
    pieces.push(pieces.length === 0 ? text : ` ${text}`);
    sentenceLeft--;
  }
  // A natural answer ends its sentence.
  if (maxTokens === undefined && pieces.length > 1 && pieces.at(-1) !== '.') pieces[pieces.length - 1] = '.';
  return { pieces, truncated: maxTokens !== undefined };
}
