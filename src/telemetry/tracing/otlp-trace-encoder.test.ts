import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { attachAttributes } from './attached-attributes.js';
import { nanosSplit, OtlpSpanBatch, OtlpTraceEncoder } from './otlp-trace-encoder.js';

function provider(attributes: Record<string, string>, exporter: InMemorySpanExporter) {
  return new BasicTracerProvider({
    resource: resourceFromAttributes(attributes),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
}

/** Spans covering every field the encoder writes, from two resources and three scopes. */
function sampleSpans(): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const first = provider({ 'service.name': 'switchyard', 'host.name': 'héllo-ホスト' }, exporter);
  const second = provider({ 'service.name': 'other' }, exporter);
  const tracer = first.getTracer('switchyard', '1.2.3');
  const mcp = first.getTracer('switchyard-mcp');
  const remote = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
    traceState: new TraceState('vendor=abc,other=x'),
  });

  const long = 'x'.repeat(200);
  const huge = 'The quick brown fox jumps over the lazy dog. '.repeat(400);
  const span = tracer.startSpan(
    'ChatCompletion',
    {
      kind: SpanKind.INTERNAL,
      startTime: [1_763_770_000, 123_456_789],
      links: [
        {
          context: {
            traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
            spanId: '00f067aa0ba902b7',
            traceFlags: TraceFlags.NONE,
            traceState: new TraceState('k=v'),
          },
          attributes: { 'link.kind': 'follows' },
        },
      ],
    },
    remote,
  );
  span.setAttributes({
    'openinference.span.kind': 'LLM',
    'llm.input_messages.0.message.content': 'Grüße, 世界 🦊',
    'input.value': long,
    'output.value': huge,
    'llm.token_count.prompt': 24,
    zero: 0,
    negative: -42,
    big: 2 ** 40,
    bigger: 2 ** 60,
    most_negative: -(2 ** 63),
    ratio: 0.25,
    not_a_number: Number.NaN,
    infinite: Number.POSITIVE_INFINITY,
    fallback: false,
    ok: true,
    'switchyard.routing.candidates': ['127.0.0.1:8001', '127.0.0.1:8002'],
    numbers: [1, 2.5, -3],
    flags: [true, false],
    empty: '',
    empty_list: [],
  });
  span.addEvent('First Token Stream Event', [1_763_770_000, 923_456_789]);
  span.addEvent(
    'exception',
    { 'exception.type': 'APIError', 'exception.message': 'boom' },
    [1_763_770_001, 0],
  );
  span.setStatus({ code: SpanStatusCode.ERROR, message: 'APIError: boom' });
  span.end([1_763_770_001, 5]);

  const child = tracer.startSpan('Prefill', { kind: SpanKind.CLIENT }, trace.setSpan(ROOT_CONTEXT, span));
  child.setStatus({ code: SpanStatusCode.OK });
  child.end();
  mcp.startSpan('CallTool', { kind: SpanKind.SERVER, attributes: { 'tool.name': 'search' } }).end();
  second.getTracer('switchyard').startSpan('Completion').end();
  tracer.startSpan('NoAttributes').end();
  return exporter.getFinishedSpans();
}

describe('OtlpTraceEncoder', () => {
  it('writes the same bytes as the SDK serializer', () => {
    const spans = sampleSpans();
    const expected = Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!);
    const encoder = new OtlpTraceEncoder();
    assert.ok(Buffer.from(encoder.encode(spans)).equals(expected));
    // Again with the key cache filled, and for a single span.
    assert.ok(Buffer.from(encoder.encode(spans)).equals(expected));
    const one = spans.slice(0, 1);
    assert.ok(
      Buffer.from(encoder.encode(one)).equals(Buffer.from(ProtobufTraceSerializer.serializeRequest(one)!)),
    );
  });

  it('grows its buffer for batches larger than it started with', () => {
    const many = Array.from({ length: 300 }, () => sampleSpans()).flat();
    const expected = Buffer.from(ProtobufTraceSerializer.serializeRequest(many)!);
    assert.ok(expected.length > 1024 * 1024);
    assert.ok(Buffer.from(new OtlpTraceEncoder().encode(many)).equals(expected));
  });

  it('encodes an empty batch as an empty request', () => {
    assert.equal(new OtlpTraceEncoder().encode([]).length, 0);
  });

  it('returns a buffer that later batches do not overwrite', () => {
    const spans = sampleSpans();
    const encoder = new OtlpTraceEncoder();
    const first = encoder.encode(spans.slice(0, 1));
    const copy = Buffer.from(first);
    encoder.encode(spans.slice(1));
    assert.ok(Buffer.from(first).equals(copy));
  });
});

/** Spans with the same ids and times, so two of them encode alike when their attributes do. */
function sameIdTracer(exporter: InMemorySpanExporter, attributeCountLimit?: number) {
  return new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'switchyard' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
    idGenerator: {
      generateTraceId: () => '0af7651916cd43dd8448eb211c80319c',
      generateSpanId: () => 'b7ad6b7169203331',
    },
    ...(attributeCountLimit !== undefined ? { spanLimits: { attributeCountLimit } } : {}),
  }).getTracer('switchyard', '1.2.3');
}

const ATTACHED: [string, string | number | boolean | string[] | undefined][] = [
  ['openinference.span.kind', 'LLM'],
  ['llm.input_messages.0.message.content', 'Grüße, 世界 🦊'],
  ['skipped', undefined],
  ['llm.token_count.prompt', 24],
  ['switchyard.routing.fallback', false],
  ['switchyard.routing.candidates', ['127.0.0.1:8001', '127.0.0.1:8002']],
  ['output.value', 'The quick brown fox jumps over the lazy dog. '.repeat(40)],
];

/** The same span twice: attributes set through the SDK, and attached for the encoder. */
function setAndAttached(countLimit?: number): { set: ReadableSpan; attached: ReadableSpan } {
  const exporter = new InMemorySpanExporter();
  const tracer = sameIdTracer(exporter, countLimit);
  const options = { kind: SpanKind.INTERNAL, startTime: [1_763_770_000, 5] as [number, number] };
  const set = tracer.startSpan('ChatCompletion', options);
  set.setAttribute('preset', 'at start');
  for (const [key, value] of ATTACHED) if (value !== undefined) set.setAttribute(key, value);
  set.end([1_763_770_001, 5]);
  const attached = tracer.startSpan('ChatCompletion', options);
  attached.setAttribute('preset', 'at start');
  attachAttributes(attached, {
    write: (to) => {
      for (const [key, value] of ATTACHED) to(key, value);
    },
    countLimit: countLimit ?? 128,
  });
  attached.end([1_763_770_001, 5]);
  const [first, second] = exporter.getFinishedSpans();
  return { set: first!, attached: second! };
}

describe('attached attributes', () => {
  it('encode as the same attributes set on the span would', () => {
    const { set, attached } = setAndAttached();
    const expected = Buffer.from(ProtobufTraceSerializer.serializeRequest([set])!);
    assert.ok(Buffer.from(new OtlpTraceEncoder().encode([attached])).equals(expected));
  });

  it('keep the count limit and count what they drop, as the SDK does', () => {
    const { set, attached } = setAndAttached(3);
    assert.equal(set.droppedAttributesCount, 4);
    const expected = Buffer.from(ProtobufTraceSerializer.serializeRequest([set])!);
    assert.ok(Buffer.from(new OtlpTraceEncoder().encode([attached])).equals(expected));
  });

  it('leave no bytes in the batch when one cannot be built', () => {
    const { set } = setAndAttached();
    const exporter = new InMemorySpanExporter();
    const broken = sameIdTracer(exporter).startSpan('Broken');
    attachAttributes(broken, {
      write: (to) => {
        to('first', 'written, then taken back');
        throw new Error('cannot build');
      },
      countLimit: 128,
    });
    broken.end();
    const batch = new OtlpSpanBatch();
    batch.add(set);
    assert.throws(() => batch.add(exporter.getFinishedSpans()[0]!), /cannot build/);
    assert.equal(batch.count, 1);
    const expected = Buffer.from(ProtobufTraceSerializer.serializeRequest([set])!);
    assert.ok(Buffer.from(batch.finish()).equals(expected));
  });
});

describe('nanosSplit', () => {
  it('splits seconds and nanoseconds into exact uint64 halves', () => {
    for (const [seconds, nanos] of [
      [0, 0],
      [1, 999_999_999],
      [1_763_770_000, 123_456_789],
      [4_294_967_295, 999_999_999],
      [18_000_000_000, 1],
    ] as const) {
      const total = BigInt(seconds) * 1_000_000_000n + BigInt(nanos);
      const [low, high] = nanosSplit(seconds, nanos);
      assert.equal((BigInt(high) << 32n) + BigInt(low), total, `${seconds}s ${nanos}ns`);
    }
  });
});
