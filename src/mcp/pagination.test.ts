import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RpcError } from './errors.js';
import { ListPager } from './pagination.js';

const numbers = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

async function drain(pager: ListPager<number>, gather: () => Promise<number[]>): Promise<number[][]> {
  const pages: number[][] = [];
  let cursor: string | undefined;
  do {
    const page = await pager.page(cursor, gather);
    pages.push(page.items);
    cursor = page.nextCursor;
  } while (cursor !== undefined && pages.length < 100);
  return pages;
}

describe('ListPager', () => {
  it('returns a list that fits in one page without a cursor', async () => {
    const page = await new ListPager<number>(5).page(undefined, async () => numbers(5));
    assert.deepEqual(page, { items: [1, 2, 3, 4, 5] });
  });

  it('pages a longer list and gathers it once', async () => {
    let gathered = 0;
    const pages = await drain(new ListPager<number>(3), async () => {
      gathered++;
      return numbers(7);
    });
    assert.deepEqual(pages, [[1, 2, 3], [4, 5, 6], [7]]);
    assert.equal(gathered, 1);
  });

  it('keeps serving a listing in progress while another starts', async () => {
    const pager = new ListPager<number>(2);
    const first = await pager.page(undefined, async () => numbers(4));
    const second = await pager.page(undefined, async () => [10, 20, 30]);
    assert.deepEqual((await pager.page(first.nextCursor, async () => [])).items, [3, 4]);
    assert.deepEqual((await pager.page(second.nextCursor, async () => [])).items, [30]);
  });

  it('rejects cursors it did not issue, or whose snapshot is gone, with -32602', async () => {
    const pager = new ListPager<number>(1);
    const { nextCursor } = await pager.page(undefined, async () => numbers(3));
    for (let i = 0; i < 4; i++) await pager.page(undefined, async () => numbers(3));
    const bogus = [nextCursor!, 'abc', Buffer.from('zzzzzzzzzzzz:1').toString('base64url'), ''];
    for (const cursor of bogus) {
      await assert.rejects(
        pager.page(cursor, async () => []),
        (err: unknown) => {
          assert.ok(err instanceof RpcError);
          assert.equal(err.code, -32602);
          return true;
        },
      );
    }
  });
});
