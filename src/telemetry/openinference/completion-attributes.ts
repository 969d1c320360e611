/**
 * OpenInference attributes of a `Completion` span (the legacy completions API): prompts as
 * `llm.prompts.{i}.prompt.text`, choices as `llm.choices.{i}.completion.text`, as Envoy AI
 * Gateway records them. Token-id prompts are not decoded (the tokenizer is the engine's).
 */
import { asArray, asRecord, asString } from '../response/json.js';
import type { TokenUsage } from '../response/usage.js';
import {
  inputValueAttributes,
  invocationParameters,
  outputValueAttributes,
  type RequestView,
  type ResponseView,
  tokenCountAttributes,
} from './common-attributes.js';
import { choiceTextKey, promptTextKey, SC } from './keys.js';
import type { AttributeSink } from './redaction.js';

export function completionRequestAttributes(sink: AttributeSink, request: RequestView): void {
  inputValueAttributes(sink, request);
  sink.set(SC.LLM_INVOCATION_PARAMETERS, invocationParameters(request.body, ['prompt']));
  textsOf(request.body['prompt']).forEach((text, i) => {
    sink.set(promptTextKey(i), text);
  });
}

export function completionResponseAttributes(
  sink: AttributeSink,
  response: ResponseView,
  usage: TokenUsage | undefined,
): void {
  outputValueAttributes(sink, response);
  asArray(response.json['choices']).forEach((choice, i) => {
    sink.set(choiceTextKey(i), asString(asRecord(choice)?.['text']));
  });
  tokenCountAttributes(sink, usage);
}

/** The texts of a prompt or input that is a string or a list of strings; none for token ids. */
export function textsOf(value: unknown): readonly string[] {
  if (typeof value === 'string') return [value];
  const items = asArray(value);
  return items.length && items.every((v) => typeof v === 'string') ? (items as string[]) : [];
}
