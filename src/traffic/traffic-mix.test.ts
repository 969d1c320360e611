import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Job, JOB_KINDS, TrafficMix } from './traffic-mix.js';

const options = { seed: 3, tenants: ['a', 'b', 'c'], streamShare: 0.5, errorShare: 0.1 };
const take = (mix: TrafficMix, n: number): Job[] => Array.from({ length: n }, () => mix.nextJob());

describe('TrafficMix', () => {
  it('gives the same jobs for the same seed, other jobs for another', () => {
    const summary = (jobs: Job[]) => jobs.map((j) => [j.kind, j.tenant, j.stream, j.flow.turns[0]!.user]);
    assert.deepEqual(summary(take(new TrafficMix(options), 50)), summary(take(new TrafficMix(options), 50)));
    assert.notDeepEqual(
      summary(take(new TrafficMix(options), 50)),
      summary(take(new TrafficMix({ ...options, seed: 4 }), 50)),
    );
  });

  it('sends every kind, errors at about their share, tenants in decreasing shares', () => {
    const jobs = take(new TrafficMix(options), 4000);
    const count = (f: (j: Job) => boolean) => jobs.filter(f).length / jobs.length;
    for (const kind of JOB_KINDS) assert.ok(count((j) => j.kind === kind) > 0, kind);
    const errors = count((j) => j.kind === 'unknown-model' || j.kind === 'bad-request');
    assert.ok(errors > 0.08 && errors < 0.12, `errors ${errors}`);
    assert.ok(Math.abs(count((j) => j.kind === 'shared-prefix') - 0.4 * 0.9) < 0.03);
    const [a, b, c] = ['a', 'b', 'c'].map((t) => count((j) => j.tenant === t));
    assert.ok(a! > b! && b! > c!, `${a} > ${b} > ${c}`);
    assert.ok(Math.abs(count((j) => j.stream) - 0.5) < 0.03);
  });

  it('sends no errors with errorShare 0 and no streams with streamShare 0', () => {
    const jobs = take(new TrafficMix({ ...options, errorShare: 0, streamShare: 0 }), 1000);
    assert.equal(jobs.filter((j) => j.kind === 'unknown-model' || j.kind === 'bad-request').length, 0);
    assert.equal(jobs.filter((j) => j.stream).length, 0);
  });

  it('gives conversations several turns and session ids that never repeat', () => {
    const conversations = take(new TrafficMix(options), 3000).filter((j) => j.kind === 'conversation');
    assert.ok(conversations.length > 200, 'enough to use up the first pool of flows');
    assert.ok(conversations.every((j) => j.flow.turns.length >= 1 && j.flow.session));
    assert.ok(conversations.some((j) => j.flow.turns.length >= 3));
    const sessions = conversations.map((j) => j.flow.session);
    assert.equal(new Set(sessions).size, sessions.length);
    // Shared-prefix chats share their long contexts (24 per pool of 200 prompts).
    const contexts = take(new TrafficMix(options), 300)
      .filter((j) => j.kind === 'shared-prefix')
      .map((j) => j.flow.system);
    assert.ok(
      new Set(contexts).size < contexts.length / 2,
      `${new Set(contexts).size} of ${contexts.length}`,
    );
  });
});
