/**
 * The simulator refuses what vLLM would refuse, with a 400, instead of failing: bodies
 * nested absurdly deep and prompts in shapes vLLM does not take (both used to hang the
 * request: the error was raised and then left unanswered).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningSim, startSim } from './helpers/sim-process.js';

const MODEL = 'Qwen/Qwen3-8B';

describe('simulator against hostile bodies', () => {
  let sim: RunningSim;
  before(async () => {
    sim = await startSim(['--time-scale', '0.001']);
  });
  after(async () => {
    await sim?.stop();
  });

  const post = (path: string, body: string) =>
    fetch(`${sim.url}${path}`, { method: 'POST', body, signal: AbortSignal.timeout(10_000) });

  it('400 for bodies nested deeper than 128 levels, wherever the nesting is', async () => {
    const deep = (n: number) => `${'['.repeat(n)}1${']'.repeat(n)}`;
    const bodies: [string, string][] = [
      ['/v1/completions', `{"model":"${MODEL}","prompt":${deep(10_000)}}`],
      [
        '/v1/chat/completions',
        `{"model":"${MODEL}","messages":[{"role":"assistant","tool_calls":${deep(10_000)}}]}`,
      ],
      ['/v1/embeddings', `{"model":"${MODEL}","input":"x","extra":${deep(200)}}`],
    ];
    for (const [path, body] of bodies) {
      const res = await post(path, body);
      assert.equal(res.status, 400, path);
      const error = ((await res.json()) as { error: { message: string } }).error;
      assert.match(error.message, /nested more than 128 levels/);
    }
  });

  it("400 for prompt shapes vLLM does not take; vLLM's own shapes are served", async () => {
    for (const prompt of [[[[1]]], [['a']], [1, 'a'], [[]], [{}]]) {
      const res = await post('/v1/completions', JSON.stringify({ model: MODEL, prompt, max_tokens: 1 }));
      assert.equal(res.status, 400, JSON.stringify(prompt));
    }
    for (const prompt of ['text', [1, 2], ['one'], [[1, 2]]]) {
      const res = await post('/v1/completions', JSON.stringify({ model: MODEL, prompt, max_tokens: 1 }));
      assert.equal(res.status, 200, JSON.stringify(prompt));
    }
  });
});
