/**
 * The engine's Prometheus metrics, named, typed, labelled and bucketed as vLLM v1 exposes
 * them (vllm/v1/metrics/loggers.py), so dashboards and routers built for vLLM read the
 * simulator unchanged. Labels: `model_name` (the first served name) and `engine` ("0").
 * Times are engine time: at `--time-scale 1` that is wall time.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { EngineObserver, EngineStats, SequenceRecord } from '../engine/engine.js';

const TTFT_BUCKETS = [
  0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0,
  80.0, 160.0, 640.0, 2560.0,
];
const TPOT_BUCKETS = [
  0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0,
];
const REQUEST_LATENCY_BUCKETS = [
  0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0,
  960.0, 1920.0, 7680.0,
];

const LABELS = ['model_name', 'engine'] as const;
const FINISH_REASONS = ['stop', 'length', 'abort'] as const;

export interface CacheConfigInfo {
  readonly blockSize: number;
  readonly numGpuBlocks: number;
}

export class SimMetrics implements EngineObserver {
  readonly registry = new Registry();
  private readonly labels: { model_name: string; engine: string };
  private readonly prefixQueries: Counter<'model_name' | 'engine'>;
  private readonly prefixHits: Counter<'model_name' | 'engine'>;
  private readonly promptTokens: Counter<'model_name' | 'engine'>;
  private readonly generationTokens: Counter<'model_name' | 'engine'>;
  private readonly success: Counter<'model_name' | 'engine' | 'finished_reason'>;
  private readonly ttft: Histogram<'model_name' | 'engine'>;
  private readonly tpot: Histogram<'model_name' | 'engine'>;
  private readonly e2e: Histogram<'model_name' | 'engine'>;
  private readonly queueTime: Histogram<'model_name' | 'engine'>;

  constructor(modelName: string, stats: () => EngineStats, cache: CacheConfigInfo) {
    const registers = [this.registry];
    const labels = { model_name: modelName, engine: '0' };
    this.labels = labels;
    const gauge = (name: string, help: string, read: (s: EngineStats) => number) =>
      new Gauge({
        name,
        help,
        labelNames: LABELS,
        registers,
        collect() {
          this.set(labels, read(stats()));
        },
      });
    gauge('vllm:num_requests_running', 'Number of requests in model execution batches.', (s) => s.running);
    gauge('vllm:num_requests_waiting', 'Number of requests waiting to be processed.', (s) => s.waiting);
    gauge('vllm:kv_cache_usage_perc', 'KV-cache usage. 1 means 100 percent usage.', (s) => s.kvUsage);
    gauge(
      'vllm:gpu_cache_usage_perc',
      'GPU KV-cache usage. 1 means 100 percent usage. DEPRECATED: Use vllm:kv_cache_usage_perc instead.',
      (s) => s.kvUsage,
    );
    const counter = (name: string, help: string) => {
      const c = new Counter({ name, help, labelNames: LABELS, registers });
      c.inc(labels, 0);
      return c;
    };
    this.prefixQueries = counter(
      'vllm:prefix_cache_queries_total',
      'Prefix cache queries, in terms of number of queried tokens.',
    );
    this.prefixHits = counter(
      'vllm:prefix_cache_hits_total',
      'Prefix cache hits, in terms of number of cached tokens.',
    );
    this.promptTokens = counter('vllm:prompt_tokens_total', 'Number of prefill tokens processed.');
    this.generationTokens = counter('vllm:generation_tokens_total', 'Number of generation tokens processed.');
    counter('vllm:num_preemptions_total', 'Cumulative number of preemption from the engine.');
    this.success = new Counter({
      name: 'vllm:request_success_total',
      help: 'Count of successfully processed requests.',
      labelNames: [...LABELS, 'finished_reason'],
      registers,
    });
    for (const reason of FINISH_REASONS) this.success.inc({ ...labels, finished_reason: reason }, 0);
    const histogram = (name: string, help: string, buckets: number[]) => {
      const h = new Histogram({ name, help, buckets, labelNames: LABELS, registers });
      h.zero(labels);
      return h;
    };
    this.ttft = histogram(
      'vllm:time_to_first_token_seconds',
      'Histogram of time to first token in seconds.',
      TTFT_BUCKETS,
    );
    this.tpot = histogram(
      'vllm:time_per_output_token_seconds',
      'Histogram of time per output token in seconds.',
      TPOT_BUCKETS,
    );
    this.e2e = histogram(
      'vllm:e2e_request_latency_seconds',
      'Histogram of e2e request latency in seconds.',
      REQUEST_LATENCY_BUCKETS,
    );
    this.queueTime = histogram(
      'vllm:request_queue_time_seconds',
      'Histogram of time spent in WAITING phase for request.',
      REQUEST_LATENCY_BUCKETS,
    );
    new Gauge({
      name: 'vllm:cache_config_info',
      help: 'Information of the LLMEngine CacheConfig',
      labelNames: ['block_size', 'num_gpu_blocks', 'enable_prefix_caching', 'engine'],
      registers,
    }).set(
      {
        block_size: String(cache.blockSize),
        num_gpu_blocks: String(cache.numGpuBlocks),
        enable_prefix_caching: 'True',
        engine: '0',
      },
      1,
    );
  }

  scheduled(seq: SequenceRecord): void {
    if (!seq.spec.prefixCache) return;
    this.prefixQueries.inc(this.labels, seq.spec.promptLength);
    this.prefixHits.inc(this.labels, seq.cachedTokens);
  }

  token(seq: SequenceRecord, _index: number, sinceLastMs: number | undefined): void {
    this.generationTokens.inc(this.labels, 1);
    if (sinceLastMs === undefined) this.ttft.observe(this.labels, (seq.firstTokenAt! - seq.arrivedAt) / 1000);
    else this.tpot.observe(this.labels, sinceLastMs / 1000);
  }

  finished(seq: SequenceRecord): void {
    if (seq.firstTokenAt !== undefined) this.promptTokens.inc(this.labels, seq.spec.promptLength);
    this.success.inc({ ...this.labels, finished_reason: seq.finishReason ?? 'abort' }, 1);
    this.e2e.observe(this.labels, (seq.finishedAt! - seq.arrivedAt) / 1000);
    if (seq.scheduledAt !== undefined)
      this.queueTime.observe(this.labels, (seq.scheduledAt - seq.arrivedAt) / 1000);
  }
}
