/**
 * The OpenTelemetry GenAI histograms, with the names, labels and buckets Envoy AI Gateway
 * exports to Prometheus, so its dashboards work unchanged on Switchyard.
 *
 * Labels are a fixed, low-cardinality set: operation, provider, the three model names,
 * token type, error type (from codes, never messages) and the header-mapped labels the
 * operator chose.
 */
import { Histogram, type Registry } from 'prom-client';
import type { Operation } from '../api/inference-request.js';
import type { TokenUsage } from './response/usage.js';

export const TOKEN_USAGE_BUCKETS = [
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
];
export const REQUEST_DURATION_BUCKETS = [
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
];
export const TIME_TO_FIRST_TOKEN_BUCKETS = [
  0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];
export const TIME_PER_OUTPUT_TOKEN_BUCKETS = [
  0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5,
];

/** The labels every GenAI series has (before the header-mapped ones). */
export const GENAI_LABELS = [
  'gen_ai_operation_name',
  'gen_ai_provider_name',
  'gen_ai_original_model',
  'gen_ai_request_model',
  'gen_ai_response_model',
] as const;
export const TOKEN_TYPE_LABEL = 'gen_ai_token_type';
export const ERROR_TYPE_LABEL = 'error_type';
/** Labels a header mapping may not take. */
export const RESERVED_LABELS: readonly string[] = [...GENAI_LABELS, TOKEN_TYPE_LABEL, ERROR_TYPE_LABEL];

/** `gen_ai.operation.name` values, as Envoy AI Gateway writes them. */
export const OPERATION_NAMES: Readonly<Record<Operation, string>> = {
  chat: 'chat',
  completion: 'completion',
  embeddings: 'embeddings',
};

/** `gen_ai.provider.name` for each provider schema (OpenTelemetry GenAI values). */
export function providerName(schema: string | undefined): string {
  if (schema === 'openai') return 'openai';
  if (schema === 'azure-openai') return 'azure.ai.openai';
  return schema ?? 'unknown';
}

export type GenAiLabels = Readonly<Record<string, string>>;

/** Token types recorded, and where each count comes from. */
const TOKEN_TYPES: readonly (readonly [string, keyof TokenUsage])[] = [
  ['input', 'input'],
  ['cached_input', 'cachedInput'],
  ['output', 'output'],
  ['reasoning', 'reasoning'],
];

export class GenAiMetrics {
  readonly tokenUsage: Histogram<string>;
  readonly requestDuration: Histogram<string>;
  readonly timeToFirstToken: Histogram<string>;
  readonly timePerOutputToken: Histogram<string>;

  /** @param extraLabels the header-mapped label names (validated against `RESERVED_LABELS`). */
  constructor(registry: Registry, extraLabels: readonly string[]) {
    const labels = [...GENAI_LABELS, ...extraLabels];
    this.tokenUsage = new Histogram({
      name: 'gen_ai_client_token_usage',
      help: 'Number of tokens processed.',
      labelNames: [...labels, TOKEN_TYPE_LABEL],
      buckets: TOKEN_USAGE_BUCKETS,
      registers: [registry],
    });
    this.requestDuration = new Histogram({
      name: 'gen_ai_server_request_duration_seconds',
      help: 'Generative AI server request duration such as time-to-last byte or last output token.',
      labelNames: [...labels, ERROR_TYPE_LABEL],
      buckets: REQUEST_DURATION_BUCKETS,
      registers: [registry],
    });
    this.timeToFirstToken = new Histogram({
      name: 'gen_ai_server_time_to_first_token_seconds',
      help: 'Time to receive first token in streaming responses.',
      labelNames: labels,
      buckets: TIME_TO_FIRST_TOKEN_BUCKETS,
      registers: [registry],
    });
    this.timePerOutputToken = new Histogram({
      name: 'gen_ai_server_time_per_output_token_seconds',
      help: 'Time per output token generated after the first token for successful responses.',
      labelNames: labels,
      buckets: TIME_PER_OUTPUT_TOKEN_BUCKETS,
      registers: [registry],
    });
  }

  /** One observation per token type the upstream reported (embeddings: input only). */
  recordTokens(labels: GenAiLabels, usage: TokenUsage, operation: Operation): void {
    for (const [type, field] of TOKEN_TYPES) {
      if (operation === 'embeddings' && type !== 'input') continue;
      const count = usage[field];
      if (count !== undefined) this.tokenUsage.observe({ ...labels, [TOKEN_TYPE_LABEL]: type }, count);
    }
  }

  /** The whole request; `errorType` only on failure, as the semantic conventions say. */
  recordRequest(labels: GenAiLabels, seconds: number, errorType: string | undefined): void {
    this.requestDuration.observe(errorType ? { ...labels, [ERROR_TYPE_LABEL]: errorType } : labels, seconds);
  }

  /**
   * Streams only: time to the first token, and the mean time per output token after it:
   * (duration - time to first token) / (output tokens - 1), when the usage gives more than one.
   */
  recordTokenTiming(
    labels: GenAiLabels,
    firstTokenSeconds: number,
    durationSeconds: number,
    outputTokens: number | undefined,
  ): void {
    this.timeToFirstToken.observe(labels, firstTokenSeconds);
    if (outputTokens !== undefined && outputTokens > 1) {
      this.timePerOutputToken.observe(labels, (durationSeconds - firstTokenSeconds) / (outputTokens - 1));
    }
  }
}
