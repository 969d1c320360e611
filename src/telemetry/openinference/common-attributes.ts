/**
 * Attribute builders shared by every OpenInference span kind: input/output values, token
 * counts and invocation parameters. Pure functions over typed inputs; every key is a
 * constant; privacy is the sink's business (see redaction.ts).
 */
import { MimeType } from '@arizeai/openinference-semantic-conventions';
import type { InferenceRequest } from '../../api/inference-request.js';
import type { Json } from '../response/json.js';
import type { TokenUsage } from '../response/usage.js';
import { SC } from './keys.js';
import type { AttributeSink } from './redaction.js';

/** What the builders read of a request: its parsed body and the text the client sent. */
export type RequestView = Pick<InferenceRequest, 'body' | 'text'>;

/** What the builders read of a response: its JSON, and its text for `output.value`. */
export interface ResponseView {
  readonly json: Json;
  /** The response as sent (non-streamed); the folded JSON is serialised when absent. */
  readonly text?: string;
}

/** `input.value` is the client's body as sent; `input.mime_type` is JSON. */
export function inputValueAttributes(sink: AttributeSink, request: RequestView): void {
  sink.set(SC.INPUT_VALUE, request.text);
  sink.set(SC.INPUT_MIME_TYPE, MimeType.JSON);
}

/** `output.value` is the upstream's body as sent, or the folded stream serialised. */
export function outputValueAttributes(sink: AttributeSink, response: ResponseView): void {
  sink.set(SC.OUTPUT_VALUE, () => response.text ?? JSON.stringify(response.json));
  sink.set(SC.OUTPUT_MIME_TYPE, MimeType.JSON);
}

/** The request body without the fields that have attributes of their own, as JSON. */
export function invocationParameters(body: Json, without: readonly string[]): () => string {
  return () => {
    const params: Record<string, unknown> = {};
    for (const key in body) if (!without.includes(key)) params[key] = body[key];
    return JSON.stringify(params);
  };
}

/**
 * `llm.token_count.*`, one attribute per count the upstream reported (zeros included), so
 * that the sums in spans equal the sums in `gen_ai_client_token_usage`.
 */
export function tokenCountAttributes(sink: AttributeSink, usage: TokenUsage | undefined): void {
  if (!usage) return;
  sink.set(SC.LLM_TOKEN_COUNT_PROMPT, usage.input);
  sink.set(SC.LLM_TOKEN_COUNT_PROMPT_DETAILS_CACHE_READ, usage.cachedInput);
  sink.set(SC.LLM_TOKEN_COUNT_PROMPT_DETAILS_AUDIO, usage.inputAudio);
  sink.set(SC.LLM_TOKEN_COUNT_COMPLETION, usage.output);
  sink.set(SC.LLM_TOKEN_COUNT_COMPLETION_DETAILS_REASONING, usage.reasoning);
  sink.set(SC.LLM_TOKEN_COUNT_COMPLETION_DETAILS_AUDIO, usage.outputAudio);
  sink.set(SC.LLM_TOKEN_COUNT_TOTAL, usage.total);
}
