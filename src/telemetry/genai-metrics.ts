/**
 * The OpenTelemetry GenAI histograms, with the names, labels and buckets Envoy AI Gateway
 * exports to Prometheus, so its dashboards work unchanged on Switchyard.
 *
 * Labels are a fixed, low-cardinality set: operation, provider, the three model names,
 * token type, error type (from codes, never messages) and the header-mapped labels the
 * operator chose. Requests observe through series cached per label set (`FastHistogram`
 * children), so the request path does no label handling.
 */
import type { Registry } from 'prom-client';
import type { Operation } from '../api/inference-request.js';
import { FastHistogram, type HistogramChild } from './fast-histogram.js';
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
  private readonly tokenUsage: FastHistogram;
  private readonly requestDuration: FastHistogram;
  private readonly timeToFirstToken: FastHistogram;
  private readonly timePerOutputToken: FastHistogram;
  private readonly labelNames: readonly string[];
  private readonly series = new Map<string, GenAiSeries>();

  /** @param extraLabels the header-mapped label names (validated against `RESERVED_LABELS`). */
  constructor(registry: Registry, extraLabels: readonly string[]) {
    const labels = [...GENAI_LABELS, ...extraLabels];
    this.labelNames = labels;
    this.tokenUsage = new FastHistogram(
      'gen_ai_client_token_usage',
      'Number of tokens processed.',
      [...labels, TOKEN_TYPE_LABEL],
      TOKEN_USAGE_BUCKETS,
      registry,
    );
    this.requestDuration = new FastHistogram(
      'gen_ai_server_request_duration_seconds',
      'Generative AI server request duration such as time-to-last byte or last output token.',
      [...labels, ERROR_TYPE_LABEL],
      REQUEST_DURATION_BUCKETS,
      registry,
    );
    this.timeToFirstToken = new FastHistogram(
      'gen_ai_server_time_to_first_token_seconds',
      'Time to receive first token in streaming responses.',
      labels,
      TIME_TO_FIRST_TOKEN_BUCKETS,
      registry,
    );
    this.timePerOutputToken = new FastHistogram(
      'gen_ai_server_time_per_output_token_seconds',
      'Time per output token generated after the first token for successful responses.',
      labels,
      TIME_PER_OUTPUT_TOKEN_BUCKETS,
      registry,
    );
  }

  /**
   * What one set of labels records into, kept for the next request with the same labels:
   * a request finds its series with one lookup and then observes without label handling.
   */
  seriesFor(labels: GenAiLabels): GenAiSeries {
    let key = '';
    for (const name of this.labelNames) key += `${labels[name] ?? ''}\u0000`;
    let series = this.series.get(key);
    if (!series) {
      series = new GenAiSeries(
        this.labelNames.map((name) => labels[name] ?? ''),
        {
          tokenUsage: this.tokenUsage,
          requestDuration: this.requestDuration,
          timeToFirstToken: this.timeToFirstToken,
          timePerOutputToken: this.timePerOutputToken,
        },
      );
      this.series.set(key, series);
    }
    return series;
  }

  /** One observation per token type the upstream reported (embeddings: input only). */
  recordTokens(labels: GenAiLabels, usage: TokenUsage, operation: Operation): void {
    this.seriesFor(labels).recordTokens(usage, operation);
  }

  /** The whole request; `errorType` only on failure, as the semantic conventions say. */
  recordRequest(labels: GenAiLabels, seconds: number, errorType: string | undefined): void {
    this.seriesFor(labels).recordRequest(seconds, errorType);
  }

  /** Streams only: see `GenAiSeries.recordTokenTiming`. */
  recordTokenTiming(
    labels: GenAiLabels,
    firstTokenSeconds: number,
    durationSeconds: number,
    outputTokens: number | undefined,
  ): void {
    this.seriesFor(labels).recordTokenTiming(firstTokenSeconds, durationSeconds, outputTokens);
  }
}

interface GenAiHistograms {
  readonly tokenUsage: FastHistogram;
  readonly requestDuration: FastHistogram;
  readonly timeToFirstToken: FastHistogram;
  readonly timePerOutputToken: FastHistogram;
}

/** The GenAI series of one label set; children are made on first use. */
export class GenAiSeries {
  private request: HistogramChild | undefined;
  private readonly failed = new Map<string, HistogramChild>();
  private readonly tokens = new Map<string, HistogramChild>();
  private ttft: HistogramChild | undefined;
  private tpot: HistogramChild | undefined;

  constructor(
    private readonly values: readonly string[],
    private readonly histograms: GenAiHistograms,
  ) {}

  /** One observation per token type the upstream reported (embeddings: input only). */
  recordTokens(usage: TokenUsage, operation: Operation): void {
    for (const [type, field] of TOKEN_TYPES) {
      if (operation === 'embeddings' && type !== 'input') continue;
      const count = usage[field];
      if (count === undefined) continue;
      let child = this.tokens.get(type);
      if (!child) {
        child = this.histograms.tokenUsage.child([...this.values, type]);
        this.tokens.set(type, child);
      }
      child.observe(count);
    }
  }

  /** The whole request; `errorType` only on failure, as the semantic conventions say. */
  recordRequest(seconds: number, errorType: string | undefined): void {
    if (errorType === undefined) {
      this.request ??= this.histograms.requestDuration.child([...this.values, undefined]);
      this.request.observe(seconds);
      return;
    }
    let child = this.failed.get(errorType);
    if (!child) {
      child = this.histograms.requestDuration.child([...this.values, errorType]);
      this.failed.set(errorType, child);
    }
    child.observe(seconds);
  }

  /**
   * Streams only: time to the first token, and the mean time per output token after it:
   * (duration - time to first token) / (output tokens - 1), when the usage gives more than one.
   */
  recordTokenTiming(
    firstTokenSeconds: number,
    durationSeconds: number,
    outputTokens: number | undefined,
  ): void {
    this.ttft ??= this.histograms.timeToFirstToken.child(this.values);
    this.ttft.observe(firstTokenSeconds);
    if (outputTokens !== undefined && outputTokens > 1) {
      this.tpot ??= this.histograms.timePerOutputToken.child(this.values);
      this.tpot.observe((durationSeconds - firstTokenSeconds) / (outputTokens - 1));
    }
  }
}
