/**
 * Most chunks of a streamed completion differ only in their piece of text:
 * `{"id":"c1",...,"choices":[{"index":0,"delta":{"content":"<piece>"},"finish_reason":null}]}`.
 * Parsing each one costs a traced stream more than everything else the gateway does for
 * it. Once one such chunk has been parsed, the text around its piece is a template: a
 * later chunk that is exactly that text around another JSON string is the same chunk with
 * another piece (JSON's grammar does not care which string sits in a string's place), so
 * folding it means appending the piece. Every other chunk (another field, another choice,
 * a role, a finish reason, usage) is parsed as usual, so the folded response is the same
 * either way.
 */

/** The two streamed APIs: chat completions (`delta.content`) and completions (`text`). */
export type StreamKind = 'chat' | 'completion';

type Json = Readonly<Record<string, unknown>>;

const asRecord = (value: unknown): Json | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;

/** Choice fields a plain piece may come with, when null. */
const NULL_ALLOWED = new Set(['finish_reason', 'logprobs']);

export class ContentTemplate {
  private constructor(
    /** The choice the piece belongs to. */
    readonly choiceIndex: number,
    private readonly prefix: string,
    private readonly suffix: string,
  ) {}

  /**
   * The template of `data` (whose parse is `chunk`) when the chunk is a plain piece: one
   * choice whose only value is the piece (chat: `delta.content`; completions: `text`), no
   * usage, and the piece's key appearing once in the text.
   */
  static from(kind: StreamKind, data: string, chunk: Json): ContentTemplate | undefined {
    if (chunk['usage'] != null) return undefined;
    const choices = chunk['choices'];
    if (!Array.isArray(choices) || choices.length !== 1) return undefined;
    const choice = asRecord(choices[0]);
    if (!choice) return undefined;
    const field = kind === 'chat' ? 'delta' : 'text';
    for (const key in choice) {
      if (key === 'index' || key === field) continue;
      if (!NULL_ALLOWED.has(key) || choice[key] !== null) return undefined;
    }
    const index = choice['index'] === undefined ? 0 : choice['index'];
    if (typeof index !== 'number') return undefined;
    let piece: unknown;
    let key: string;
    if (kind === 'chat') {
      const delta = asRecord(choice['delta']);
      if (!delta || Object.keys(delta).length !== 1) return undefined;
      piece = delta['content'];
      key = '"content"';
    } else {
      piece = choice['text'];
      key = '"text"';
    }
    if (typeof piece !== 'string') return undefined;
    const at = data.indexOf(key);
    if (at === -1 || data.indexOf(key, at + 1) !== -1) return undefined;
    let open = skipSpace(data, at + key.length);
    if (data[open] !== ':') return undefined;
    open = skipSpace(data, open + 1);
    if (data[open] !== '"') return undefined;
    const close = closingQuote(data, open + 1);
    if (close === -1) return undefined;
    try {
      if (JSON.parse(data.slice(open, close + 1)) !== piece) return undefined;
    } catch {
      return undefined;
    }
    return new ContentTemplate(index, data.slice(0, open + 1), data.slice(close));
  }

  /** The piece `data` carries when it is the template around another string, else undefined. */
  match(data: string): string | undefined {
    const { prefix, suffix } = this;
    const end = data.length - suffix.length;
    if (end < prefix.length) return undefined;
    // Sliced comparisons: startsWith compares character by character, ten times slower.
    if (data.slice(0, prefix.length) !== prefix || data.slice(end) !== suffix) return undefined;
    const body = data.slice(prefix.length, end);
    if (!needsDecoding(body)) return body;
    try {
      const piece: unknown = JSON.parse(`"${body}"`);
      return typeof piece === 'string' ? piece : undefined;
    } catch {
      return undefined;
    }
  }
}

/** Whether a JSON string body has escapes (or characters that must be escaped) in it. */
function needsDecoding(body: string): boolean {
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c < 0x20 || c === 34 /* " */ || c === 92 /* \ */) return true;
  }
  return false;
}

function skipSpace(text: string, at: number): number {
  while (
    at < text.length &&
    (text[at] === ' ' || text[at] === '\t' || text[at] === '\n' || text[at] === '\r')
  )
    at++;
  return at;
}

/** Index of the quote that ends the string starting at `from`, or -1. */
function closingQuote(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 92 /* \ */) i++;
    else if (c === 34 /* " */) return i;
  }
  return -1;
}
