/**
 * What the OpenInference spans may contain, from the `OPENINFERENCE_*` variables that
 * OpenInference instrumentations and Envoy AI Gateway read, with the same names, meanings
 * and defaults. Resolution order: explicit option, then environment, then default.
 */

export interface TraceConfig {
  /** `input.value` becomes `__REDACTED__`; input messages, prompts, embedding texts and tools are dropped. */
  readonly hideInputs: boolean;
  /** `output.value` becomes `__REDACTED__`; output messages, choices and vectors are dropped. */
  readonly hideOutputs: boolean;
  /** Input messages are dropped. */
  readonly hideInputMessages: boolean;
  /** Output messages are dropped. */
  readonly hideOutputMessages: boolean;
  /** Image parts of input messages are dropped. */
  readonly hideInputImages: boolean;
  /** Text of input messages (and tool-call arguments in them) becomes `__REDACTED__`. */
  readonly hideInputText: boolean;
  /** Text of output messages (and their tool-call arguments) becomes `__REDACTED__`. */
  readonly hideOutputText: boolean;
  /** Embedding input texts become `__REDACTED__`. */
  readonly hideEmbeddingsText: boolean;
  /** Embedding vectors are dropped. */
  readonly hideEmbeddingsVectors: boolean;
  /** `llm.invocation_parameters` and `embedding.invocation_parameters` are dropped. */
  readonly hideLlmInvocationParameters: boolean;
  /** Completions API prompts become `__REDACTED__`. */
  readonly hidePrompts: boolean;
  /** Completions API choices become `__REDACTED__`. */
  readonly hideChoices: boolean;
  /** Base64 data-URL images longer than this become `__REDACTED__`. */
  readonly base64ImageMaxLength: number;
}

type BooleanKey = { [K in keyof TraceConfig]: TraceConfig[K] extends boolean ? K : never }[keyof TraceConfig];

/** Each boolean setting, the variable that sets it. All default to false. */
export const HIDE_VARIABLES: Readonly<Record<BooleanKey, string>> = {
  hideInputs: 'OPENINFERENCE_HIDE_INPUTS',
  hideOutputs: 'OPENINFERENCE_HIDE_OUTPUTS',
  hideInputMessages: 'OPENINFERENCE_HIDE_INPUT_MESSAGES',
  hideOutputMessages: 'OPENINFERENCE_HIDE_OUTPUT_MESSAGES',
  hideInputImages: 'OPENINFERENCE_HIDE_INPUT_IMAGES',
  hideInputText: 'OPENINFERENCE_HIDE_INPUT_TEXT',
  hideOutputText: 'OPENINFERENCE_HIDE_OUTPUT_TEXT',
  hideEmbeddingsText: 'OPENINFERENCE_HIDE_EMBEDDINGS_TEXT',
  hideEmbeddingsVectors: 'OPENINFERENCE_HIDE_EMBEDDINGS_VECTORS',
  hideLlmInvocationParameters: 'OPENINFERENCE_HIDE_LLM_INVOCATION_PARAMETERS',
  hidePrompts: 'OPENINFERENCE_HIDE_PROMPTS',
  hideChoices: 'OPENINFERENCE_HIDE_CHOICES',
};

export const BASE64_IMAGE_MAX_LENGTH_VARIABLE = 'OPENINFERENCE_BASE64_IMAGE_MAX_LENGTH';
export const DEFAULT_BASE64_IMAGE_MAX_LENGTH = 32_000;

export const DEFAULT_TRACE_CONFIG: TraceConfig = {
  hideInputs: false,
  hideOutputs: false,
  hideInputMessages: false,
  hideOutputMessages: false,
  hideInputImages: false,
  hideInputText: false,
  hideOutputText: false,
  hideEmbeddingsText: false,
  hideEmbeddingsVectors: false,
  hideLlmInvocationParameters: false,
  hidePrompts: false,
  hideChoices: false,
  base64ImageMaxLength: DEFAULT_BASE64_IMAGE_MAX_LENGTH,
};

/**
 * Resolves the config. Booleans accept `true`/`false`/`1`/`0` (any case). Where
 * OpenInference silently falls back to the default, a value that is neither is reported in
 * `problems`, so that the CLI can refuse to start: a typo in a privacy setting must not
 * quietly leave prompts visible.
 */
export function traceConfigFrom(
  env: NodeJS.ProcessEnv,
  options: Partial<TraceConfig> = {},
): { config: TraceConfig; problems: string[] } {
  const problems: string[] = [];
  const config: Record<string, boolean | number> = { ...DEFAULT_TRACE_CONFIG };
  for (const [key, variable] of Object.entries(HIDE_VARIABLES) as [BooleanKey, string][]) {
    const explicit = options[key];
    if (explicit !== undefined) {
      config[key] = explicit;
      continue;
    }
    const raw = env[variable]?.trim();
    if (!raw) continue;
    const lower = raw.toLowerCase();
    if (lower === 'true' || lower === '1') config[key] = true;
    else if (lower !== 'false' && lower !== '0') problems.push(`${variable}="${raw}" must be true or false`);
  }
  if (options.base64ImageMaxLength !== undefined)
    config['base64ImageMaxLength'] = options.base64ImageMaxLength;
  else {
    const raw = env[BASE64_IMAGE_MAX_LENGTH_VARIABLE]?.trim();
    if (raw) {
      const n = Number(raw);
      if (Number.isInteger(n) && n >= 0) config['base64ImageMaxLength'] = n;
      else problems.push(`${BASE64_IMAGE_MAX_LENGTH_VARIABLE}="${raw}" must be a non-negative integer`);
    }
  }
  return { config: config as unknown as TraceConfig, problems };
}

/** True when some message attribute may be recorded (the span then needs more than 128 attributes). */
export function capturesMessages(config: TraceConfig): boolean {
  return (
    (!config.hideInputs && !config.hideInputMessages) || (!config.hideOutputs && !config.hideOutputMessages)
  );
}
