/**
 * The one privacy boundary of tracing. Attribute builders write every attribute through an
 * `AttributeSink` and know nothing about privacy; the sink checks each key against a rule
 * table resolved once from the `TraceConfig`, and either keeps, redacts (`__REDACTED__`) or
 * drops the value. Costly values are passed as thunks, so a hidden value is never even
 * built (no JSON serialised, no body decoded) and cannot reach an exporter.
 *
 * The rules follow OpenInference's masking rules and Envoy AI Gateway's trace config, with
 * one deliberate difference: hiding input or output text also redacts tool-call arguments,
 * which carry text the model read or wrote.
 */
import type { AttributeValue } from '@opentelemetry/api';
import { CONTENT_IMAGE_URL, EMBEDDING_INVOCATION_PARAMETERS, LLM_CHOICES, SC } from './keys.js';
import type { TraceConfig } from './trace-config.js';

export const REDACTED = '__REDACTED__';

/** A value, or a function that builds it only when it will be kept. `undefined` sets nothing. */
export type LazyValue = AttributeValue | undefined | (() => AttributeValue | undefined);

/** Where builders write attributes. */
export interface AttributeSink {
  set(key: string, value: LazyValue): void;
}

export type MaskAction = 'redact' | 'drop';

export interface MaskingRule {
  /** Which setting turns the rule on, for docs and tests. */
  readonly setting: string;
  readonly on: (config: TraceConfig) => boolean;
  /** `value` is given only when the builder passed a plain value (not a thunk). */
  readonly matches: (key: string, value: AttributeValue | undefined, config: TraceConfig) => boolean;
  readonly action: MaskAction;
}

const IN = SC.LLM_INPUT_MESSAGES;
const OUT = SC.LLM_OUTPUT_MESSAGES;
const isText = (key: string) =>
  key.endsWith(`.${SC.MESSAGE_CONTENT}`) ||
  key.endsWith(`.${SC.MESSAGE_CONTENT_TEXT}`) ||
  key.endsWith(`.${SC.TOOL_CALL_FUNCTION_ARGUMENTS_JSON}`);
const isEmbeddingText = (key: string) =>
  key.startsWith(SC.EMBEDDING_EMBEDDINGS) && key.endsWith(`.${SC.EMBEDDING_TEXT}`);
const isEmbeddingVector = (key: string) =>
  key.startsWith(SC.EMBEDDING_EMBEDDINGS) && key.endsWith(`.${SC.EMBEDDING_VECTOR}`);

/**
 * First matching rule wins, so whole-group drops come before the finer redactions they
 * include (a dropped message is not also redacted).
 */
export const MASKING_RULES: readonly MaskingRule[] = [
  { setting: 'hideInputs', on: (c) => c.hideInputs, matches: (k) => k === SC.INPUT_VALUE, action: 'redact' },
  {
    setting: 'hideInputs',
    on: (c) => c.hideInputs,
    matches: (k) => k === SC.INPUT_MIME_TYPE,
    action: 'drop',
  },
  {
    setting: 'hideOutputs',
    on: (c) => c.hideOutputs,
    matches: (k) => k === SC.OUTPUT_VALUE,
    action: 'redact',
  },
  {
    setting: 'hideOutputs',
    on: (c) => c.hideOutputs,
    matches: (k) => k === SC.OUTPUT_MIME_TYPE,
    action: 'drop',
  },
  // Error bodies may echo what the client sent (an engine's validation error quoting the
  // prompt) or what the model wrote: hidden with either side.
  {
    setting: 'hideInputs or hideOutputs',
    on: (c) => c.hideInputs || c.hideOutputs,
    matches: (k) => k === 'exception.message',
    action: 'redact',
  },
  {
    setting: 'hideInputs or hideInputMessages',
    on: (c) => c.hideInputs || c.hideInputMessages,
    matches: (k) => k.startsWith(`${IN}.`),
    action: 'drop',
  },
  {
    setting: 'hideOutputs or hideOutputMessages',
    on: (c) => c.hideOutputs || c.hideOutputMessages,
    matches: (k) => k.startsWith(`${OUT}.`),
    action: 'drop',
  },
  {
    setting: 'hideInputs',
    on: (c) => c.hideInputs,
    matches: (k) =>
      k.startsWith(`${SC.LLM_TOOLS}.`) || k.startsWith(`${SC.LLM_PROMPTS}.`) || isEmbeddingText(k),
    action: 'drop',
  },
  {
    setting: 'hideOutputs',
    on: (c) => c.hideOutputs,
    matches: (k) => k.startsWith(`${LLM_CHOICES}.`) || isEmbeddingVector(k),
    action: 'drop',
  },
  {
    setting: 'hideInputImages',
    on: (c) => c.hideInputImages,
    matches: (k) => k.startsWith(`${IN}.`) && k.includes(`.${SC.MESSAGE_CONTENT_IMAGE}`),
    action: 'drop',
  },
  {
    setting: 'base64ImageMaxLength',
    on: () => true,
    matches: (k, v, c) =>
      k.startsWith(`${IN}.`) && k.endsWith(CONTENT_IMAGE_URL) && isLongBase64Image(v, c.base64ImageMaxLength),
    action: 'redact',
  },
  {
    setting: 'hideInputText',
    on: (c) => c.hideInputText,
    matches: (k) => k.startsWith(`${IN}.`) && isText(k),
    action: 'redact',
  },
  {
    setting: 'hideOutputText',
    on: (c) => c.hideOutputText,
    matches: (k) => k.startsWith(`${OUT}.`) && isText(k),
    action: 'redact',
  },
  {
    setting: 'hideEmbeddingsText',
    on: (c) => c.hideEmbeddingsText,
    matches: isEmbeddingText,
    action: 'redact',
  },
  {
    setting: 'hideEmbeddingsVectors',
    on: (c) => c.hideEmbeddingsVectors,
    matches: isEmbeddingVector,
    action: 'drop',
  },
  {
    setting: 'hidePrompts',
    on: (c) => c.hidePrompts,
    matches: (k) => k.startsWith(`${SC.LLM_PROMPTS}.`),
    action: 'redact',
  },
  {
    setting: 'hideChoices',
    on: (c) => c.hideChoices,
    matches: (k) => k.startsWith(`${LLM_CHOICES}.`),
    action: 'redact',
  },
  {
    setting: 'hideLlmInvocationParameters',
    on: (c) => c.hideLlmInvocationParameters,
    matches: (k) => k === SC.LLM_INVOCATION_PARAMETERS || k === EMBEDDING_INVOCATION_PARAMETERS,
    action: 'drop',
  },
];

function isLongBase64Image(value: AttributeValue | undefined, limit: number): boolean {
  return (
    typeof value === 'string' &&
    value.length > limit &&
    value.startsWith('data:image/') &&
    value.includes('base64')
  );
}

/** The rule table resolved for one config; shared by all requests. */
export class Redactor {
  private readonly active: readonly MaskingRule[];

  constructor(readonly config: TraceConfig) {
    this.active = MASKING_RULES.filter((rule) => rule.on(config));
  }

  /** What happens to `key` (and its plain `value`, when known): kept, redacted or dropped. */
  decide(key: string, value: AttributeValue | undefined): MaskAction | 'keep' {
    for (const rule of this.active) if (rule.matches(key, value, this.config)) return rule.action;
    return 'keep';
  }

  /** A fresh sink that collects the attributes of one span. */
  sink(): CollectingSink {
    return new CollectingSink(this);
  }

  /** A sink that passes what survives the rules straight on (to a span, without a copy). */
  forwardingSink(target: (key: string, value: AttributeValue) => void): AttributeSink {
    return new ForwardingSink(this, target);
  }
}

/** The boundary in use: passes what survives the rules to `target`. */
class ForwardingSink implements AttributeSink {
  constructor(
    private readonly redactor: Redactor,
    private readonly target: (key: string, value: AttributeValue) => void,
  ) {}

  set(key: string, value: LazyValue): void {
    if (value === undefined) return;
    const plain = typeof value === 'function' ? undefined : value;
    const action = this.redactor.decide(key, plain);
    if (action === 'drop') return;
    if (action === 'redact') {
      this.target(key, REDACTED);
      return;
    }
    const built = typeof value === 'function' ? value() : value;
    if (built !== undefined) this.target(key, built);
  }
}

/** The boundary collecting into a plain attribute map. */
export class CollectingSink extends ForwardingSink {
  readonly attributes: Record<string, AttributeValue>;

  constructor(redactor: Redactor) {
    const attributes: Record<string, AttributeValue> = {};
    super(redactor, (key, value) => {
      attributes[key] = value;
    });
    this.attributes = attributes;
  }
}
