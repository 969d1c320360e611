/**
 * Token counts as an OpenAI-compatible upstream reports them (`usage` of a response, or of
 * the last chunk of a stream with `stream_options.include_usage`). Spans and metrics both
 * read this one value, so they always agree.
 */
import { asCount, asRecord } from './json.js';

export interface TokenUsage {
  /** `prompt_tokens`. */
  readonly input?: number;
  /** `completion_tokens`. */
  readonly output?: number;
  /** `total_tokens`. */
  readonly total?: number;
  /** `prompt_tokens_details.cached_tokens`. */
  readonly cachedInput?: number;
  /** `prompt_tokens_details.audio_tokens`. */
  readonly inputAudio?: number;
  /** `completion_tokens_details.reasoning_tokens`. */
  readonly reasoning?: number;
  /** `completion_tokens_details.audio_tokens`. */
  readonly outputAudio?: number;
}

/** Reads a `usage` object; undefined when it is absent or carries no count at all. */
export function usageFrom(value: unknown): TokenUsage | undefined {
  const usage = asRecord(value);
  if (!usage) return undefined;
  const prompt = asRecord(usage['prompt_tokens_details']);
  const completion = asRecord(usage['completion_tokens_details']);
  const counts: { -readonly [K in keyof TokenUsage]: number } = {};
  let any = false;
  const put = (key: keyof TokenUsage, raw: unknown) => {
    const count = asCount(raw);
    if (count === undefined) return;
    counts[key] = count;
    any = true;
  };
  put('input', usage['prompt_tokens']);
  put('output', usage['completion_tokens']);
  put('total', usage['total_tokens']);
  put('cachedInput', prompt?.['cached_tokens']);
  put('inputAudio', prompt?.['audio_tokens']);
  put('reasoning', completion?.['reasoning_tokens']);
  put('outputAudio', completion?.['audio_tokens']);
  return any ? counts : undefined;
}
