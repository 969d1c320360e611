/**
 * Cursors the gateway hands its clients. A listing without a cursor gathers the merged list
 * from every server (each drained through its own cursors), keeps it as a snapshot and
 * returns the first page; the cursor names the snapshot and the offset, so the following
 * pages come from the same list even if a server's list changes meanwhile. A cursor the
 * gateway did not issue, or whose snapshot was replaced, is a -32602 error, as the spec asks.
 *
 * One pager per list kind per client session; a few recent snapshots are kept so that
 * two listings interleaved in one session both finish.
 */
import { randomBytes } from 'node:crypto';
import { McpErrors } from './errors.js';

export interface Page<T> {
  readonly items: T[];
  readonly nextCursor?: string;
}

const KEPT_SNAPSHOTS = 4;

export class ListPager<T> {
  private readonly snapshots = new Map<string, readonly T[]>();

  constructor(private readonly pageSize: number) {
    if (!Number.isInteger(pageSize) || pageSize < 1)
      throw new RangeError(`page size must be >= 1, got ${pageSize}`);
  }

  async page(cursor: string | undefined, gather: () => Promise<readonly T[]>): Promise<Page<T>> {
    if (cursor === undefined) {
      const items = await gather();
      if (items.length <= this.pageSize) return { items: [...items] };
      const id = randomBytes(9).toString('base64url');
      this.snapshots.set(id, items);
      while (this.snapshots.size > KEPT_SNAPSHOTS) this.snapshots.delete(this.snapshots.keys().next().value!);
      return this.slice(id, items, 0);
    }
    const position = decodeCursor(cursor);
    const items = position && this.snapshots.get(position.id);
    if (!position || !items || position.offset >= items.length) throw McpErrors.invalidCursor();
    return this.slice(position.id, items, position.offset);
  }

  private slice(id: string, items: readonly T[], offset: number): Page<T> {
    const end = offset + this.pageSize;
    const page = items.slice(offset, end);
    return end >= items.length ? { items: page } : { items: page, nextCursor: encodeCursor(id, end) };
  }
}

function encodeCursor(id: string, offset: number): string {
  return Buffer.from(`${id}:${offset}`).toString('base64url');
}

function decodeCursor(cursor: string): { id: string; offset: number } | undefined {
  const match = /^([A-Za-z0-9_-]{12}):(\d{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match ? { id: match[1]!, offset: Number(match[2]) } : undefined;
}
