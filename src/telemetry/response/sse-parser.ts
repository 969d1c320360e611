/**
 * An incremental Server-Sent Events parser (WHATWG HTML, "Parsing an event stream"): bytes in
 * as they arrive, one callback per complete event. It keeps only the unfinished tail of
 * the stream, never the whole of it, and handles UTF-8 sequences and line endings split
 * across chunks.
 */
export type SseEventHandler = (data: string, event: string | undefined) => void;

export class SseParser {
  private readonly decoder = new TextDecoder('utf-8');
  private tail = '';
  private data: string[] = [];
  private event: string | undefined;

  constructor(private readonly onEvent: SseEventHandler) {}

  push(chunk: Uint8Array): void {
    this.feed(this.decoder.decode(chunk, { stream: true }));
  }

  /** The stream ended: a final event without its blank line is dropped, as the spec says. */
  end(): void {
    this.feed(this.decoder.decode());
    // A CR held back in case an LF followed ends its line now.
    if (this.tail.endsWith('\r')) this.line(this.tail.slice(0, -1));
    this.tail = '';
    this.data = [];
    this.event = undefined;
  }

  private feed(text: string): void {
    let buffer = this.tail + text;
    if (buffer.indexOf('\r') === -1) {
      // The usual case (LF only): one native split instead of a scan per line.
      const lines = buffer.split('\n');
      this.tail = lines.pop()!;
      for (const line of lines) this.line(line);
      return;
    }
    let start = 0;
    for (;;) {
      const lf = buffer.indexOf('\n', start);
      const cr = buffer.indexOf('\r', start);
      let end: number;
      let next: number;
      if (cr !== -1 && (lf === -1 || cr < lf)) {
        // A CR at the very end may be the first half of CRLF: wait for more.
        if (cr === buffer.length - 1) break;
        end = cr;
        next = buffer[cr + 1] === '\n' ? cr + 2 : cr + 1;
      } else if (lf !== -1) {
        end = lf;
        next = lf + 1;
      } else break;
      this.line(buffer.slice(start, end));
      start = next;
    }
    buffer = buffer.slice(start);
    this.tail = buffer;
  }

  private line(line: string): void {
    if (line === '') {
      if (this.data.length) this.onEvent(this.data.join('\n'), this.event);
      this.data = [];
      this.event = undefined;
      return;
    }
    if (line.charCodeAt(0) === 58 /* ':' comment */) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
  }
}
