/**
 * OpenAI response and stream-chunk shapes, field for field, plus vLLM's
 * `kv_transfer_params`. Builders are pure: they take what happened and return JSON values.
 */

export type ApiFinishReason = 'stop' | 'length';

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number; audio_tokens: number };
  completion_tokens_details: {
    reasoning_tokens: number;
    audio_tokens: number;
    accepted_prediction_tokens: number;
    rejected_prediction_tokens: number;
  };
}

export function usage(promptTokens: number, completionTokens: number, cachedTokens: number): Usage {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: cachedTokens, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

/** Identity shared by a response and all of its chunks. */
export interface ResponseIdentity {
  readonly id: string;
  readonly created: number;
  readonly model: string;
}

export function chatCompletion(
  who: ResponseIdentity,
  content: string,
  finishReason: ApiFinishReason,
  use: Usage,
  kvTransferParams: Record<string, unknown> | null,
) {
  return {
    id: who.id,
    object: 'chat.completion',
    created: who.created,
    model: who.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content, refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: finishReason,
      },
    ],
    usage: use,
    service_tier: null,
    system_fingerprint: null,
    kv_transfer_params: kvTransferParams,
  };
}

/**
 * A chat stream chunk. `delta` is `{role, content}` on the first chunk, `{content}` after,
 * `{}` on the finishing chunk. With `include_usage`, every chunk has `usage: null` and a
 * last chunk with no choices carries the usage, as OpenAI sends it.
 */
export function chatChunk(
  who: ResponseIdentity,
  delta: Record<string, unknown>,
  finishReason: ApiFinishReason | null,
  includeUsage: boolean,
) {
  return {
    id: who.id,
    object: 'chat.completion.chunk',
    created: who.created,
    model: who.model,
    system_fingerprint: null,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...(includeUsage ? { usage: null } : {}),
  };
}

export function chatUsageChunk(who: ResponseIdentity, use: Usage) {
  return {
    id: who.id,
    object: 'chat.completion.chunk',
    created: who.created,
    model: who.model,
    system_fingerprint: null,
    choices: [],
    usage: use,
  };
}

export function textCompletion(
  who: ResponseIdentity,
  text: string,
  finishReason: ApiFinishReason,
  use: Usage,
  kvTransferParams: Record<string, unknown> | null,
) {
  return {
    id: who.id,
    object: 'text_completion',
    created: who.created,
    model: who.model,
    choices: [{ index: 0, text, logprobs: null, finish_reason: finishReason }],
    usage: use,
    system_fingerprint: null,
    kv_transfer_params: kvTransferParams,
  };
}

/** A completions stream chunk; the text is empty on the finishing chunk. */
export function textChunk(
  who: ResponseIdentity,
  text: string,
  finishReason: ApiFinishReason | null,
  includeUsage: boolean,
) {
  return {
    id: who.id,
    object: 'text_completion',
    created: who.created,
    model: who.model,
    system_fingerprint: null,
    choices: [{ index: 0, text, logprobs: null, finish_reason: finishReason }],
    ...(includeUsage ? { usage: null } : {}),
  };
}

export function textUsageChunk(who: ResponseIdentity, use: Usage) {
  return {
    id: who.id,
    object: 'text_completion',
    created: who.created,
    model: who.model,
    system_fingerprint: null,
    choices: [],
    usage: use,
  };
}

export function embeddingList(model: string, vectors: readonly (number[] | string)[], promptTokens: number) {
  return {
    object: 'list',
    data: vectors.map((embedding, index) => ({ object: 'embedding', index, embedding })),
    model,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  };
}

export function modelList(models: readonly string[], created: number, maxModelLen: number) {
  return {
    object: 'list',
    data: models.map((id) => ({
      id,
      object: 'model',
      created,
      owned_by: 'vllm',
      root: models[0],
      parent: null,
      max_model_len: maxModelLen,
    })),
  };
}
