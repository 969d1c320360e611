import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LogBatcher } from './log-batcher.js';

function recorder() {
  const writes: string[] = [];
  return { writes, destination: { write: (text: string) => writes.push(text) } };
}

describe('LogBatcher', () => {
  it('writes whole batches, lines in order, once they reach the batch size', () => {
    const { writes, destination } = recorder();
    const batcher = new LogBatcher(destination, 10, 60_000);
    for (const line of ['aaaa\n', 'bbbb\n', 'cc\n', 'dddddddddddd\n', 'e\n']) batcher.write(line);
    assert.deepEqual(writes, ['aaaa\nbbbb\n', 'cc\ndddddddddddd\n']);
    batcher.flush();
    assert.deepEqual(writes, ['aaaa\nbbbb\n', 'cc\ndddddddddddd\n', 'e\n']);
    batcher.flush();
    assert.equal(writes.length, 3);
  });

  it('writes a partial batch after the delay, without more lines coming', async () => {
    const { writes, destination } = recorder();
    const batcher = new LogBatcher(destination, 4096, 5);
    batcher.write('only line\n');
    assert.deepEqual(writes, []);
    const deadline = Date.now() + 5000;
    while (writes.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(writes, ['only line\n']);
  });
});
