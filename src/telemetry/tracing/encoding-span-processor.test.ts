import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { type ExportResult, ExportResultCode, setGlobalErrorHandler } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type Sampler,
  SamplingDecision,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import {
  type BatchExporter,
  type BatchSettings,
  batchSettingsFromEnv,
  type EncodedBatch,
  EncodingSpanProcessor,
} from './encoding-span-processor.js';

/** Records batches; each is answered at once, or held until the test answers it. */
class RecordingExporter implements BatchExporter {
  readonly batches: EncodedBatch[] = [];
  readonly pending: ((result: ExportResult) => void)[] = [];
  shutDown = false;
  constructor(private readonly hold = false) {}
  export(batch: EncodedBatch, done: (result: ExportResult) => void): void {
    this.batches.push(batch);
    if (this.hold) this.pending.push(done);
    else done({ code: ExportResultCode.SUCCESS });
  }
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {
    this.shutDown = true;
  }
}

function setup(settings: Partial<BatchSettings>, exporter = new RecordingExporter(), sampler?: Sampler) {
  const processor = new EncodingSpanProcessor(exporter, {
    maxQueueSize: 100,
    maxExportBatchSize: 3,
    scheduledDelayMillis: 60_000,
    exportTimeoutMillis: 30_000,
    ...settings,
  });
  // The SDK's own view of the same spans, to encode with its serializer.
  const seen = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'switchyard' }),
    spanProcessors: [new SimpleSpanProcessor(seen), processor],
    ...(sampler ? { sampler } : {}),
  });
  const tracer = provider.getTracer('switchyard');
  const span = (i: number) =>
    tracer.startSpan(`span-${i}`, { attributes: { i, text: 'x'.repeat(i * 40) } }).end();
  return { processor, exporter, seen, span };
}

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('EncodingSpanProcessor', () => {
  afterEach(() => setGlobalErrorHandler(() => {}));

  it('sends full batches as the SDK serializer would encode them', async () => {
    const { exporter, seen, span } = setup({});
    for (let i = 0; i < 7; i++) span(i);
    await until(() => exporter.batches.length === 2);
    const spans = seen.getFinishedSpans();
    for (const [n, batch] of exporter.batches.entries()) {
      const expected = ProtobufTraceSerializer.serializeRequest(spans.slice(n * 3, n * 3 + 3))!;
      assert.equal(batch.count, 3);
      assert.ok(Buffer.from(batch.bytes).equals(Buffer.from(expected)), `batch ${n}`);
    }
  });

  it('sends a partial batch after the schedule delay, and everything on forceFlush', async () => {
    const { processor, exporter, span } = setup({ scheduledDelayMillis: 5 });
    span(1);
    await until(() => exporter.batches.length === 1);
    assert.equal(exporter.batches[0]!.count, 1);
    const slow = setup({});
    slow.span(1);
    slow.span(2);
    await slow.processor.forceFlush();
    assert.deepEqual(
      slow.exporter.batches.map((b) => b.count),
      [2],
    );
    await processor.shutdown();
  });

  it('exports one batch at a time, and drops spans past the queue size with a count', async () => {
    const exporter = new RecordingExporter(true);
    const { span } = setup({ maxQueueSize: 6 }, exporter);
    for (let i = 0; i < 10; i++) span(i);
    await until(() => exporter.batches.length === 1);
    assert.equal(exporter.pending.length, 1);
    // Six spans wait (two batches); the other four were dropped.
    exporter.pending.shift()!({ code: ExportResultCode.SUCCESS });
    await until(() => exporter.batches.length === 2);
    exporter.pending.shift()!({ code: ExportResultCode.SUCCESS });
    await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(
      exporter.batches.map((b) => b.count),
      [3, 3],
    );
  });

  it('gives up on an export after its timeout, reports it, and goes on', async () => {
    const errors: unknown[] = [];
    setGlobalErrorHandler((err) => errors.push(err));
    const exporter = new RecordingExporter(true);
    const { span } = setup({ exportTimeoutMillis: 5 }, exporter);
    for (let i = 0; i < 6; i++) span(i);
    await until(() => exporter.batches.length === 2);
    assert.match(String((errors[0] as Error).message), /Timeout/);
  });

  it('skips spans that are recorded but not sampled', async () => {
    const recordOnly: Sampler = {
      shouldSample: () => ({ decision: SamplingDecision.RECORD }),
      toString: () => 'record',
    };
    const { processor, exporter, span } = setup({}, new RecordingExporter(), recordOnly);
    for (let i = 0; i < 4; i++) span(i);
    await processor.forceFlush();
    assert.equal(exporter.batches.length, 0);
  });

  it('flushes and shuts the exporter down on shutdown, and takes no spans after', async () => {
    const { processor, exporter, span } = setup({});
    span(1);
    await processor.shutdown();
    assert.equal(exporter.batches.length, 1);
    assert.ok(exporter.shutDown);
    span(2);
    await processor.forceFlush();
    assert.equal(exporter.batches.length, 1);
  });
});

describe('batchSettingsFromEnv', () => {
  it('reads OTEL_BSP_*, keeps defaults for unusable values, and caps the batch at the queue', () => {
    assert.deepEqual(batchSettingsFromEnv({}), {
      maxQueueSize: 2048,
      maxExportBatchSize: 512,
      scheduledDelayMillis: 5000,
      exportTimeoutMillis: 30000,
    });
    assert.deepEqual(
      batchSettingsFromEnv({
        OTEL_BSP_MAX_QUEUE_SIZE: '100',
        OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '500',
        OTEL_BSP_SCHEDULE_DELAY: '20',
        OTEL_BSP_EXPORT_TIMEOUT: 'soon',
      }),
      { maxQueueSize: 100, maxExportBatchSize: 100, scheduledDelayMillis: 20, exportTimeoutMillis: 30000 },
    );
    assert.equal(batchSettingsFromEnv({ OTEL_BSP_SCHEDULE_DELAY: '0' }).scheduledDelayMillis, 5000);
  });
});
