/**
 * OpenInference attribute keys. Every key comes from `@arizeai/openinference-semantic-conventions`;
 * the few the package does not name (completions API prompts and choices) are spelled as
 * Envoy AI Gateway spells them, and marked so.
 */
import { SemanticConventions as SC } from '@arizeai/openinference-semantic-conventions';

export { SC };

/** Not in the conventions package: Envoy AI Gateway's key for completions API choices. */
export const LLM_CHOICES = 'llm.choices';
/** Not in the conventions package: the OpenInference embedding spec's invocation parameters. */
export const EMBEDDING_INVOCATION_PARAMETERS = 'embedding.invocation_parameters';
/** Not in the conventions package: suffix of `llm.prompts.{i}`. */
export const PROMPT_TEXT = 'prompt.text';
/** Not in the conventions package: suffix of `llm.choices.{i}`. */
export const COMPLETION_TEXT = 'completion.text';

/** Name of the span event recorded when the first streamed token passes (as Envoy AI Gateway names it). */
export const FIRST_TOKEN_EVENT = 'First Token Stream Event';

export type MessageSide = typeof SC.LLM_INPUT_MESSAGES | typeof SC.LLM_OUTPUT_MESSAGES;

/** Message keys for the first messages are built once: the same strings, span after span. */
const MEMO_MESSAGES = 64;
const messageKeys = new Map<string, Map<string, string[]>>();

/** `llm.input_messages.{i}.message.role` and friends. */
export function messageKey(side: MessageSide, i: number, suffix: string): string {
  if (i >= MEMO_MESSAGES) return `${side}.${i}.${suffix}`;
  let bySuffix = messageKeys.get(side);
  if (!bySuffix) messageKeys.set(side, (bySuffix = new Map()));
  let keys = bySuffix.get(suffix);
  if (!keys) bySuffix.set(suffix, (keys = []));
  return (keys[i] ??= `${side}.${i}.${suffix}`);
}

/** `llm.input_messages.{i}.message.contents.{j}.message_content.text` and friends. */
export function messageContentKey(side: MessageSide, i: number, j: number, suffix: string): string {
  return `${side}.${i}.${SC.MESSAGE_CONTENTS}.${j}.${suffix}`;
}

/** `llm.output_messages.{i}.message.tool_calls.{j}.tool_call.function.name` and friends. */
export function toolCallKey(side: MessageSide, i: number, j: number, suffix: string): string {
  return `${side}.${i}.${SC.MESSAGE_TOOL_CALLS}.${j}.${suffix}`;
}

/** Suffix of an image part's URL: `message_content.image.image.url`. */
export const CONTENT_IMAGE_URL = `${SC.MESSAGE_CONTENT_IMAGE}.${SC.IMAGE_URL}`;

export function toolSchemaKey(i: number): string {
  return `${SC.LLM_TOOLS}.${i}.${SC.TOOL_JSON_SCHEMA}`;
}

export function embeddingTextKey(i: number): string {
  return `${SC.EMBEDDING_EMBEDDINGS}.${i}.${SC.EMBEDDING_TEXT}`;
}

export function embeddingVectorKey(i: number): string {
  return `${SC.EMBEDDING_EMBEDDINGS}.${i}.${SC.EMBEDDING_VECTOR}`;
}

export function promptTextKey(i: number): string {
  return `${SC.LLM_PROMPTS}.${i}.${PROMPT_TEXT}`;
}

export function choiceTextKey(i: number): string {
  return `${LLM_CHOICES}.${i}.${COMPLETION_TEXT}`;
}
