/**
 * An incremental Server-Sent Events parser (WHATWG HTML, "Parsing an event stream"): bytes in
 * as they arrive, one callback per complete event. It keeps only the unfinished tail of
 * the stream, never the whole of it, and handles UTF-8 sequences and line endings split
 * across chunks.
 */
import { StringDecoder } from 'node:string_decoder';

export type SseEventHandler = (data: string, event: string | undefined) => void;

export class SseParser {
  // StringDecoder keeps split UTF-8 sequences like TextDecoder's stream mode, several times faster.
  private readonly decoder = new StringDecoder('utf8');
  private tail = '';
  private data: string[] = [];
  private event: string | undefined;

  constructor(private readonly onEvent: SseEventHandler) {}

  push(chunk: Uint8Array): void {
    this.feed(this.decoder.write(chunk as Buffer));
  }

  /** The stream ended: a final event without its blank line is dropped, as the spec says. */
  end(): void {
    this.feed(this.decoder.end());
    // A CR held back in case an LF followed ends its line now.
    if (this.tail.endsWith('\r')) this.line(this.tail.slice(0, -1));
    this.tail = '';
    this.data = [];
    this.event = undefined;
  }

  private feed(text: string): void {
    let buffer = this.tail + text;
    if (buffer.indexOf('\r') === -1) {
      this.feedLf(buffer);
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

  /**
   * LF line endings only (the usual case). An event that is one `data:` line, as model
   * servers send them, is cut out whole; anything else goes line by line.
   */
  private feedLf(buffer: string): void {
    let start = 0;
    for (;;) {
      const end = buffer.indexOf('\n', start);
      if (end === -1) break;
      if (
        end > start &&
        buffer.charCodeAt(end + 1) === 10 &&
        this.data.length === 0 &&
        this.event === undefined &&
        buffer.startsWith('data:', start)
      ) {
        const value = buffer.charCodeAt(start + 5) === 32 ? start + 6 : start + 5;
        this.onEvent(buffer.slice(value, end), undefined);
        start = end + 2;
        continue;
      }
      this.line(buffer.slice(start, end));
      start = end + 1;
    }
    this.tail = start === 0 ? buffer : buffer.slice(start);
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
