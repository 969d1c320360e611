import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderChat } from '../sim/engine/chat-template.js';
import { encode } from '../sim/engine/tokenizer.js';
import type { RequestRecord } from './driver.js';
import { perfectHitRate } from './perfect-bound.js';
import { percentile } from './summary.js';

const record = (sentAt: number, system: string, user: string, answer = ''): RequestRecord => ({
  flow: 'f',
  turn: 0,
  sentAt,
  e2eMs: 1,
  outputTokens: 1,
  status: 200,
  messages: [
    { role: 'system', content: system },
    { role: 'user', content: user },
  ],
  answer,
});

describe('perfect-router hit rate', () => {
  const context = 'A long shared context about harbour logistics and tides. '.repeat(30);

  it('is zero for a single request and for unrelated prompts', () => {
    assert.equal(perfectHitRate([record(0, context, 'q')], 16), 0);
    assert.equal(
      perfectHitRate([record(0, 'alpha '.repeat(100), 'q'), record(1, 'beta '.repeat(100), 'q')], 16),
      0,
    );
  });

  it('counts, for a repeated context, the full blocks an engine would find, in arrival order', () => {
    const first = record(0, context, 'first question');
    const second = record(1, context, 'second question');
    const len = (r: RequestRecord) => encode(renderChat(r.messages)).length;
    // The shared part is the system message and the user header; the engine hits whole blocks.
    const rate = perfectHitRate([second, first], 16);
    const expectedMax = (len(second) - 1) / (len(first) + len(second));
    assert.ok(rate > 0.4 && rate <= expectedMax, `${rate}`);
    assert.equal(perfectHitRate([first, second], 16), perfectHitRate([second, first].reverse(), 16));
  });

  it('ignores failed requests', () => {
    const failed = { ...record(0, context, 'x'), error: 'HTTP 500' };
    assert.equal(perfectHitRate([failed, record(1, context, 'y')], 16), 0);
  });
});

describe('percentiles', () => {
  it('use the nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentile(values, 50), 50);
    assert.equal(percentile(values, 90), 90);
    assert.equal(percentile(values, 99), 99);
    assert.equal(percentile([5], 99), 5);
    assert.ok(Number.isNaN(percentile([], 50)));
  });
});
