/**
 * Client aborts against a real `switchyard sim`: when the client disconnects, its
 * sequence leaves the batch at once (vllm:num_requests_running drops), its KV blocks are
 * freed, and a queued request takes the slot, as vLLM does.
 */
import assert from 'node:assert/strict';
import { openChatRequest } from './helpers/http.js';
import { after, before, describe, it } from 'node:test';
import { type RunningSim, startSim, waitUntil } from './helpers/sim-process.js';

const MODEL = 'Qwen/Qwen3-8B';
const LABELS = { model_name: MODEL, engine: '0' };

/** A chat request to `url`; `started` resolves at the first body bytes (or headers). */
function openRequest(url: string, body: Record<string, unknown>, waitForData: boolean) {
  const messages = [{ role: 'user', content: 'go on forever' }];
  return openChatRequest(url, { model: MODEL, messages, ...body }, waitForData);
}

describe('simulator client abort', () => {
  let sim: RunningSim;

  before(async () => {
    // 5000 tokens x 15 ms: no request here ends on its own while the test runs.
    sim = await startSim(['--max-num-seqs', '1']);
  });

  after(async () => {
    await sim?.stop();
  });

  const gauge = async (name: string) => (await sim.metrics()).value(name, LABELS);

  it('frees the slot of an aborted stream and admits the queued request', async () => {
    const first = openRequest(sim.url, { max_tokens: 5000, stream: true }, true);
    await first.started; // tokens are flowing
    const second = openRequest(sim.url, { max_tokens: 5000, stream: true }, false);
    await waitUntil(
      async () => (await gauge('vllm:num_requests_waiting')) === 1,
      'the second request queues',
    );
    assert.equal(await gauge('vllm:num_requests_running'), 1);
    assert.ok((await gauge('vllm:kv_cache_usage_perc')) > 0);

    first.req.destroy();
    await waitUntil(
      async () => (await gauge('vllm:num_requests_waiting')) === 0,
      'the queued request is admitted',
    );
    assert.equal(await gauge('vllm:num_requests_running'), 1);
    await second.started;

    second.req.destroy();
    await waitUntil(async () => (await gauge('vllm:num_requests_running')) === 0, 'the slot is free');
    assert.equal(await gauge('vllm:kv_cache_usage_perc'), 0);
    const m = await sim.metrics();
    assert.equal(m.value('vllm:request_success_total', { ...LABELS, finished_reason: 'abort' }), 2);
  });

  it('aborts a non-streaming request whose client leaves while it is generated', async () => {
    const pending = openRequest(sim.url, { max_tokens: 5000 }, false);
    await waitUntil(async () => (await gauge('vllm:num_requests_running')) === 1, 'the request runs');
    pending.req.destroy();
    await waitUntil(async () => (await gauge('vllm:num_requests_running')) === 0, 'the slot is free');
    const m = await sim.metrics();
    assert.equal(m.value('vllm:request_success_total', { ...LABELS, finished_reason: 'abort' }), 3);
  });

  it('drops a queued request whose client leaves before it runs', async () => {
    const running = openRequest(sim.url, { max_tokens: 5000, stream: true }, true);
    await running.started;
    const queued = openRequest(sim.url, { max_tokens: 5000, stream: true }, false);
    await waitUntil(async () => (await gauge('vllm:num_requests_waiting')) === 1, 'the request queues');
    queued.req.destroy();
    await waitUntil(async () => (await gauge('vllm:num_requests_waiting')) === 0, 'the queue empties');
    assert.equal(await gauge('vllm:num_requests_running'), 1, 'the running request is untouched');
    running.req.destroy();
    await waitUntil(async () => (await gauge('vllm:num_requests_running')) === 0, 'the slot is free');
  });
});
