/**
 * Watches one upstream response as it is relayed, without delaying it, and keeps what
 * spans and metrics need: status, model, token usage, the moment of the first token, and
 * (when a span will be recorded) the response itself.
 *
 * - A JSON body is copied chunk by chunk (up to `maxBodyBytes`) and parsed once, at the end.
 * - An event stream is parsed incrementally: each SSE event is folded into the
 *   non-streaming shape as it passes. Without a span, events after the first token are
 *   parsed only when they may carry `usage`, so the metrics-only path stays cheap.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Operation } from '../../api/inference-request.js';
import type { ResponseObserver } from '../../proxy/observer.js';
import type { RelayResult } from '../../proxy/relay.js';
import { ContentTemplate } from '../../api/content-template.js';
import { SseParser } from '../../api/sse-parser.js';
import { asRecord, asString, type Json, parseJson } from './json.js';
import { StreamFold } from './stream-fold.js';
import { type TokenUsage, usageFrom } from './usage.js';

/** What was seen of the upstream response. Times are `performance.now()` values. */
export interface ResponseFacts {
  readonly status: number;
  readonly streamed: boolean;
  /** The parsed JSON body, or the folded stream (in the non-streaming shape) when content is kept. */
  readonly json?: Json;
  /** The body as text (non-streamed responses within the size limit). */
  readonly text?: string;
  readonly usage?: TokenUsage;
  /** The `model` the upstream reported. */
  readonly model?: string;
  readonly headersAt: number;
  readonly firstTokenAt?: number;
  /** When the body ended (completely or not). */
  readonly endedAt?: number;
  readonly relay?: RelayResult;
  /** The body was larger than the collector keeps; `json`/`text`/`usage` are then missing. */
  readonly truncated: boolean;
  /** An `event: error` the upstream sent inside its stream. */
  readonly streamError?: string;
}

export interface CollectorOptions {
  readonly operation: Operation;
  /** Keep the response content (a span will record it); false keeps only model, usage and timing. */
  readonly keepContent: boolean;
  /** Largest non-streamed body copied for parsing. */
  readonly maxBodyBytes: number;
  /** Called at the moment the first token passes (streams only). */
  readonly onFirstToken: (at: number) => void;
  readonly now: () => number;
}

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;

/** Templates learnt per stream before giving up on chunks that keep changing. */
const MAX_TEMPLATE_TRIES = 4;

export class ResponseCollector implements ResponseObserver {
  private status = 0;
  private headersAt = 0;
  private endedAt: number | undefined;
  private firstTokenAt: number | undefined;
  private relay: RelayResult | undefined;
  private sse: SseParser | undefined;
  private fold: StreamFold | undefined;
  /** Plain text pieces of a stream, folded without parsing (streams kept for a span). */
  private template: ContentTemplate | undefined;
  private templateTries = 0;
  private chunks: Buffer[] | undefined;
  private bytes = 0;
  private truncated = false;
  private streamError: string | undefined;
  private body: { json?: Json; text?: string } = {};
  private seen = false;

  constructor(private readonly options: CollectorOptions) {}

  /** Whether an upstream response started at all. */
  get responded(): boolean {
    return this.seen;
  }

  onResponse(status: number, headers: IncomingHttpHeaders): void {
    this.seen = true;
    this.status = status;
    this.headersAt = this.options.now();
    const type = String(headers['content-type'] ?? '');
    if (type.startsWith('text/event-stream') && this.options.operation !== 'embeddings') {
      this.fold = new StreamFold(
        this.options.operation === 'chat' ? 'chat' : 'completion',
        this.options.keepContent,
      );
      this.sse = new SseParser((data, event) => this.onEvent(data, event));
    } else {
      this.chunks = [];
    }
  }

  onChunk(chunk: Buffer): void {
    if (this.sse) {
      this.sse.push(chunk);
      return;
    }
    if (!this.chunks || this.truncated) return;
    this.bytes += chunk.length;
    if (this.bytes > this.options.maxBodyBytes) {
      this.truncated = true;
      this.chunks = [];
      return;
    }
    this.chunks.push(chunk);
  }

  onEnd(result: RelayResult): void {
    this.endedAt = this.options.now();
    this.relay = result;
    if (this.sse) {
      this.sse.end();
      return;
    }
    if (this.chunks && !this.truncated) {
      const text = Buffer.concat(this.chunks).toString('utf8');
      this.chunks = undefined;
      const json = asRecord(parseJson(text));
      this.body = { text, ...(json ? { json } : {}) };
    }
  }

  facts(): ResponseFacts | undefined {
    if (!this.seen) return undefined;
    const fold = this.fold;
    // A stream is folded into a response only when a span will record its content.
    const json = fold ? (this.options.keepContent ? fold.result() : undefined) : this.body.json;
    const usage = fold ? fold.usage : usageFrom(json?.['usage']);
    const model = fold ? fold.model : asString(json?.['model']);
    return {
      status: this.status,
      streamed: fold !== undefined,
      ...(json ? { json } : {}),
      ...(this.body.text !== undefined ? { text: this.body.text } : {}),
      ...(usage ? { usage } : {}),
      ...(model ? { model } : {}),
      headersAt: this.headersAt,
      ...(this.firstTokenAt !== undefined ? { firstTokenAt: this.firstTokenAt } : {}),
      ...(this.endedAt !== undefined ? { endedAt: this.endedAt } : {}),
      ...(this.relay ? { relay: this.relay } : {}),
      truncated: this.truncated,
      ...(this.streamError !== undefined ? { streamError: this.streamError } : {}),
    };
  }

  private onEvent(data: string, event: string | undefined): void {
    const fold = this.fold!;
    if (event === 'error') {
      this.streamError = data;
      return;
    }
    if (data === '[DONE]') return;
    // Once the first token passed, a metrics-only collector needs nothing but usage.
    if (!this.options.keepContent && fold.tokenSeen && !data.includes('"usage"')) return;
    if (this.template && fold.tokenSeen) {
      const piece = this.template.match(data);
      if (piece !== undefined) {
        fold.addPiece(this.template.choiceIndex, piece);
        return;
      }
    }
    const chunk = asRecord(parseJson(data));
    if (!chunk) return;
    if (fold.add(chunk)) {
      this.firstTokenAt = this.options.now();
      this.options.onFirstToken(this.firstTokenAt);
    }
    // A stream whose chunks vary in more than their piece stops looking after a few tries.
    if (this.options.keepContent && this.templateTries < MAX_TEMPLATE_TRIES) {
      const template = ContentTemplate.from(
        this.options.operation === 'chat' ? 'chat' : 'completion',
        data,
        chunk,
      );
      if (template) {
        this.template = template;
        this.templateTries++;
      }
    }
  }
}
