import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { spec } from '../../test/helpers/router-contract.js';
import { accountingObserver, type DeliveryStats } from './endpoint-accounting.js';
import { EndpointRegistry } from './endpoint-state.js';

/** Drives an observer with a scripted clock: each step sets the time then delivers bytes. */
function replay(
  contentType: string,
  steps: readonly [atMs: number, text: string][],
  status = 200,
  outcome = 'complete',
) {
  const clock = { ms: 0 };
  const state = new EndpointRegistry().state(spec('a:1'));
  let stats: DeliveryStats | undefined;
  const observer = accountingObserver(
    state,
    () => clock.ms,
    (s) => {
      stats = s;
    },
  );
  observer.onResponse(status, { 'content-type': contentType });
  for (const [at, text] of steps) {
    clock.ms = at;
    observer.onChunk(Buffer.from(text));
  }
  observer.onEnd({ outcome });
  return { state, stats };
}

const chunk = (delta: Record<string, unknown>, usage?: Record<string, unknown>) =>
  `data: ${JSON.stringify({ choices: [{ index: 0, delta }], ...(usage ? { usage } : {}) })}\n\n`;

describe('gateway accounting of relayed responses', () => {
  it('times the first token of a stream (not a role-only chunk) and the time per token', () => {
    const { state, stats } = replay('text/event-stream', [
      [5, chunk({ role: 'assistant', content: '' })],
      [100, chunk({ content: 'Hel' })],
      [120, chunk({ content: 'lo' })],
      [140, chunk({ content: '!' }) + 'data: [DONE]\n\n'],
    ]);
    assert.deepEqual(stats, { outputTokens: 3, ttftMs: 100, tpotMs: 20 });
    assert.equal(state.ttftMs, 100);
    assert.equal(state.tpotMs, 20);
    assert.equal(state.recentTokensPerSecond, 0.3);
  });

  it('prefers the usage the stream reports, and copes with events split across chunks', () => {
    const event = chunk({ content: 'abc' }, { completion_tokens: 9, prompt_tokens: 3 });
    const { stats } = replay('text/event-stream', [
      [50, chunk({ content: 'x' }).slice(0, 10)],
      [60, `${chunk({ content: 'x' }).slice(10)}${event.slice(0, 7)}`],
      [130, `${event.slice(7)}data: [DONE]\n\n`],
    ]);
    assert.deepEqual(stats, { outputTokens: 9, ttftMs: 60, tpotMs: 70 / 8 });
  });

  it('counts text events alike whether they repeat the previous one or change shape', () => {
    const plain = (content: string, extra: Record<string, unknown> = {}) =>
      `data: ${JSON.stringify({ id: 'c', model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: null }], ...extra })}\n\n`;
    const { stats } = replay('text/event-stream', [
      [10, plain('a') + plain('b') + plain('')],
      [20, plain('c', { system_fingerprint: 'fp' }) + plain('d') + plain('"e"\n')],
      [30, plain('') + 'data: [DONE]\n\n'],
    ]);
    assert.deepEqual(stats, { outputTokens: 5, ttftMs: 10, tpotMs: 20 / 4 });
  });

  it('reads the output tokens of a JSON body, without timing it', () => {
    const body = JSON.stringify({ choices: [], usage: { prompt_tokens: 10, completion_tokens: 42 } });
    const { state, stats } = replay('application/json', [
      [10, body.slice(0, 20)],
      [11, body.slice(20)],
    ]);
    assert.deepEqual(stats, { outputTokens: 42 });
    assert.equal(state.ttftMs, undefined);
    assert.equal(state.recentTokensPerSecond, 4.2);
  });

  it('ignores error answers and broken streams', () => {
    const failed = replay('application/json', [[1, '{"error":{"message":"no"}}']], 500);
    assert.equal(failed.stats, undefined);
    const broken = replay('text/event-stream', [[1, chunk({ content: 'a' })]], 200, 'interrupted');
    assert.equal(broken.stats, undefined);
    assert.equal(broken.state.ttftMs, undefined);
  });
});
