/**
 * Batches spans for OTLP http/protobuf, in place of the SDK's `BatchSpanProcessor` and
 * `OTLPTraceExporter` when that pair is what the environment asks for. The difference:
 * each span is encoded into its batch the moment it ends (`OtlpSpanBatch`), so the span
 * object is garbage at once; with the SDK's pair every span lives until its batch is
 * exported, long enough for the garbage collector to copy it and move it to the old
 * generation, which on a busy gateway cost more than building the span.
 *
 * The rest follows the SDK: batches are sent by its OTLP HTTP transport (endpoint,
 * headers, timeout, compression and retries from the `OTEL_EXPORTER_OTLP_*` variables) and
 * formed as its batch processor forms them, from the `OTEL_BSP_*` variables: a batch
 * leaves when it holds `maxExportBatchSize` spans or `scheduledDelayMillis` after its
 * first; one export at a time, each given `exportTimeoutMillis`; at most `maxQueueSize`
 * spans wait, later ones are dropped and counted in a warning.
 */
import { type Context, diag, TraceFlags } from '@opentelemetry/api';
import { type ExportResult, ExportResultCode, globalErrorHandler } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { KeyCache, OtlpSpanBatch } from './otlp-trace-encoder.js';

export interface BatchSettings {
  readonly maxQueueSize: number;
  readonly maxExportBatchSize: number;
  readonly scheduledDelayMillis: number;
  readonly exportTimeoutMillis: number;
}

const DEFAULTS: BatchSettings = {
  maxQueueSize: 2048,
  maxExportBatchSize: 512,
  scheduledDelayMillis: 5000,
  exportTimeoutMillis: 30000,
};

/** `OTEL_BSP_*`, read as the SDK reads them: a value that is not a positive number keeps the default. */
export function batchSettingsFromEnv(env: NodeJS.ProcessEnv): BatchSettings {
  const read = (name: string, fallback: number) => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    const value = Number(raw);
    if (Number.isNaN(value)) return fallback;
    if (value <= 0) {
      diag.warn(`${name} (${value}) is invalid, expected number greater than 0, using default.`);
      return fallback;
    }
    return value;
  };
  const maxQueueSize = read('OTEL_BSP_MAX_QUEUE_SIZE', DEFAULTS.maxQueueSize);
  const maxExportBatchSize = Math.min(
    read('OTEL_BSP_MAX_EXPORT_BATCH_SIZE', DEFAULTS.maxExportBatchSize),
    maxQueueSize,
  );
  return {
    maxQueueSize,
    maxExportBatchSize,
    scheduledDelayMillis: read('OTEL_BSP_SCHEDULE_DELAY', DEFAULTS.scheduledDelayMillis),
    exportTimeoutMillis: read('OTEL_BSP_EXPORT_TIMEOUT', DEFAULTS.exportTimeoutMillis),
  };
}

/** A batch ready to send: one encoded `ExportTraceServiceRequest`. */
export interface EncodedBatch {
  readonly bytes: Uint8Array;
  readonly count: number;
}

/** Where batches go (the OTLP transport); `done` is called once per batch. */
export interface BatchExporter {
  export(batch: EncodedBatch, done: (result: ExportResult) => void): void;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

export class EncodingSpanProcessor implements SpanProcessor {
  private readonly keys = new KeyCache();
  private batch: OtlpSpanBatch;
  /** Closed batches, in order; each is finished (wrapped into a request) when its turn comes. */
  private readonly ready: OtlpSpanBatch[] = [];
  /** Spans encoded and not yet exported (the open batch and the ready ones). */
  private waiting = 0;
  private exporting = false;
  private timer: NodeJS.Timeout | undefined;
  private dropped = 0;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly exporter: BatchExporter,
    private readonly settings: BatchSettings = DEFAULTS,
  ) {
    this.batch = new OtlpSpanBatch(this.keys);
  }

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    if (this.closed) return;
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    if (this.waiting >= this.settings.maxQueueSize) {
      if (this.dropped++ === 0) diag.debug('maxQueueSize reached, dropping spans');
      return;
    }
    if (this.dropped > 0) {
      diag.warn(`Dropped ${this.dropped} spans because maxQueueSize reached`);
      this.dropped = 0;
    }
    try {
      this.batch.add(span);
    } catch (err) {
      globalErrorHandler(err as Error);
      return;
    }
    this.waiting++;
    if (this.batch.count >= this.settings.maxExportBatchSize) this.seal();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.seal(), this.settings.scheduledDelayMillis);
      this.timer.unref();
    }
  }

  /** Sends every waiting span and resolves when all exports in flight have ended. */
  forceFlush(): Promise<void> {
    this.seal();
    if (this.idle()) return this.exporter.forceFlush();
    return new Promise<void>((resolve) => this.idleWaiters.push(resolve)).then(() =>
      this.exporter.forceFlush(),
    );
  }

  async shutdown(): Promise<void> {
    if (this.closed) return;
    await this.forceFlush();
    this.closed = true;
    await this.exporter.shutdown();
  }

  /** Closes the open batch and queues it for export. */
  private seal(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.batch.count === 0) return;
    this.ready.push(this.batch);
    this.batch = new OtlpSpanBatch(this.keys);
    this.pump();
  }

  /** Starts the next export when none is in flight. */
  private pump(): void {
    if (this.exporting) return;
    const batch = this.ready.shift();
    if (!batch) {
      if (this.idle()) for (const wake of this.idleWaiters.splice(0)) wake();
      return;
    }
    this.exporting = true;
    const count = batch.count;
    let settled = false;
    const done = (result: ExportResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timeout);
      this.exporting = false;
      this.waiting -= count;
      if (result.code !== ExportResultCode.SUCCESS) {
        globalErrorHandler(result.error ?? new Error('BatchSpanProcessor: span export failed'));
      }
      this.pump();
    };
    // As the SDK does, stop waiting after the timeout so later batches can go.
    const timeout = setTimeout(
      () => done({ code: ExportResultCode.FAILED, error: new Error('Timeout') }),
      this.settings.exportTimeoutMillis,
    );
    timeout.unref();
    const send = () => {
      try {
        this.exporter.export({ bytes: batch.finish(), count }, done);
      } catch (err) {
        done({ code: ExportResultCode.FAILED, error: err as Error });
      }
    };
    batch.resourcesSettled().then(send, (err: unknown) => {
      globalErrorHandler(err as Error);
      send();
    });
  }

  private idle(): boolean {
    return !this.exporting && this.ready.length === 0 && this.batch.count === 0;
  }
}
