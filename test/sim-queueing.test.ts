/**
 * Batch slots of a real `switchyard sim`: past --max-num-seqs, requests wait in a FIFO
 * queue (vllm:num_requests_waiting > 0, running never above the limit), then all finish.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningSim, startSim, waitUntil } from './helpers/sim-process.js';

const MODEL = 'Qwen/Qwen3-8B';
const LABELS = { model_name: MODEL, engine: '0' };

describe('simulator queueing', () => {
  let sim: RunningSim;

  before(async () => {
    // Each request: 400 tokens x 15 ms = 6 s of engine time = 120 ms of wall time.
    sim = await startSim(['--max-num-seqs', '2', '--time-scale', '0.02']);
  });

  after(async () => {
    await sim?.stop();
  });

  it('queues requests beyond max-num-seqs and serves them all', async () => {
    const requests = Array.from({ length: 5 }, (_, i) =>
      fetch(`${sim.url}/v1/completions`, {
        method: 'POST',
        body: JSON.stringify({ model: MODEL, prompt: `request number ${i}`, max_tokens: 400 }),
      }).then(async (res) => ({
        status: res.status,
        body: (await res.json()) as { usage: { completion_tokens: number } },
      })),
    );
    let sawQueue = false;
    let maxRunning = 0;
    const watching = waitUntil(async () => {
      const m = await sim.metrics();
      const running = m.value('vllm:num_requests_running', LABELS);
      const waiting = m.value('vllm:num_requests_waiting', LABELS);
      maxRunning = Math.max(maxRunning, running);
      if (running === 2 && waiting === 3) sawQueue = true;
      return sawQueue;
    }, 'three requests wait behind two running ones');
    const results = await Promise.all(requests);
    await watching;
    assert.ok(sawQueue);
    assert.equal(maxRunning, 2);
    assert.ok(results.every((r) => r.status === 200 && r.body.usage.completion_tokens === 400));

    const m = await sim.metrics();
    assert.equal(m.value('vllm:num_requests_waiting', LABELS), 0);
    assert.equal(m.value('vllm:num_requests_running', LABELS), 0);
    assert.equal(m.value('vllm:request_success_total', { ...LABELS, finished_reason: 'length' }), 5);
    assert.equal(m.value('vllm:request_queue_time_seconds_count', LABELS), 5);
    // Three requests waited at least one full request (400 tokens of decode) each.
    assert.ok(m.value('vllm:request_queue_time_seconds_sum', LABELS) >= 3 * 400 * 0.015);
  });
});
