import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildWorkload, WORKLOADS } from './workloads.js';

describe('bench workloads', () => {
  it('are reproducible from their seed, and differ between seeds', () => {
    for (const name of WORKLOADS) {
      const a = buildWorkload({ name, seed: 7, requests: 40, rate: 5 });
      const b = buildWorkload({ name, seed: 7, requests: 40, rate: 5 });
      const c = buildWorkload({ name, seed: 8, requests: 40, rate: 5 });
      assert.deepEqual(a, b, name);
      assert.notDeepEqual(a.flows, c.flows, name);
      assert.equal(
        a.flows.reduce((n, f) => n + f.turns.length, 0),
        40,
        `${name} plans exactly the requested number of requests`,
      );
    }
  });

  it('shared-prefix: requests share one of a few long contexts; uniform: nothing shared', () => {
    const shared = buildWorkload({ name: 'shared-prefix', seed: 1, requests: 200, rate: 5 });
    const contexts = new Set(shared.flows.map((f) => f.system));
    assert.ok(contexts.size > 1 && contexts.size <= 24, `${contexts.size} contexts`);
    for (const context of contexts) assert.ok(context!.length > 5_000, 'long contexts');
    const uniform = buildWorkload({ name: 'uniform', seed: 1, requests: 200, rate: 5 });
    assert.equal(new Set(uniform.flows.map((f) => f.turns[0]!.user.slice(0, 40))).size, 200);
    assert.ok(uniform.flows.every((f) => f.system === undefined));
  });

  it('multi-turn: conversations with sessions, think times after the first turn', () => {
    const w = buildWorkload({ name: 'multi-turn', seed: 1, requests: 60, rate: 2 });
    assert.ok(w.flows.every((f) => f.session?.startsWith('bench-conversation-')));
    assert.ok(
      w.flows.every((f) => f.turns[0]!.thinkMs === 0 && f.turns.slice(1).every((t) => t.thinkMs > 0)),
    );
    assert.ok(w.flows.some((f) => f.turns.length >= 3));
  });

  it('arrivals are increasing, about `rate` per second', () => {
    const w = buildWorkload({ name: 'uniform', seed: 3, requests: 2000, rate: 10 });
    const starts = w.flows.map((f) => f.startMs);
    assert.ok(starts.every((t, i) => i === 0 || t >= starts[i - 1]!));
    const rate = 2000 / (starts.at(-1)! / 1000);
    assert.ok(rate > 9 && rate < 11, `${rate}/s`);
  });
});
