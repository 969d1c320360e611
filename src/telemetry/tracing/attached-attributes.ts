/**
 * Attributes a span's encoder writes itself, straight into the OTLP batch, instead of being
 * set on the span one `setAttribute` at a time. A request span carries a few dozen
 * attributes; through the SDK each is validated, counted and stored in a dictionary-mode
 * object that the encoder then walks again, and the object is garbage a moment later.
 * Attached, they go from the builders through the redaction boundary to protobuf bytes in
 * one pass, inside `span.end()` (the encoding processor encodes as spans end), so nothing
 * is built twice and nothing outlives the request.
 *
 * Only for the one case where the encoder is the span's only reader: `EncodingSpanProcessor`
 * alone and no attribute value length limit (see `start-tracing.ts`). The count limit is
 * kept as the SDK keeps it: attributes past it are dropped and counted. The writer must
 * not set a key twice (the SDK would keep one); callers make sure of that.
 */
import type { AttributeValue, Span } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

/** Where attached attributes are written; `undefined` values are skipped. */
export type AttributeWrite = (key: string, value: AttributeValue | undefined) => void;

export interface AttachedAttributes {
  /** Writes every attribute, in order, once, synchronously. */
  readonly write: (to: AttributeWrite) => void;
  /** Attributes allowed on the span in all (the SDK's `attributeCountLimit`). */
  readonly countLimit: number;
}

const attached = new WeakMap<object, AttachedAttributes>();

/** Hands `span`'s attributes to its encoder; call before `span.end()`. */
export function attachAttributes(span: Span, attributes: AttachedAttributes): void {
  attached.set(span, attributes);
}

/** The attributes attached to `span`, removed from it (encoders call this once per span). */
export function takeAttachedAttributes(span: ReadableSpan): AttachedAttributes | undefined {
  const found = attached.get(span);
  if (found) attached.delete(span);
  return found;
}
