/**
 * A client that leaves cancels its upstream request at once, through the real gateway to a
 * real simulator: the engine's own `vllm:num_requests_running` drops and the sequence is
 * counted as aborted, whether the client was streaming, waiting for a whole answer, or
 * still queued at the engine.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { writeEndpointsFile } from './helpers/files.js';
import { openChatRequest } from './helpers/http.js';
import { type RunningGateway, startGateway } from './helpers/gateway-process.js';
import { scrapeMetrics } from './helpers/prometheus.js';
import { type RunningSim, startSim, waitUntil } from './helpers/sim-process.js';

const MODEL = 'Qwen/Qwen3-8B';
const LABELS = { model_name: MODEL, engine: '0' };

/** A chat request to `url`; `started` resolves at the first body bytes (or headers). */
function open(url: string, body: Record<string, unknown>, waitForData: boolean) {
  const messages = [{ role: 'user', content: 'keep talking' }];
  return openChatRequest(url, { model: MODEL, messages, ...body }, waitForData);
}

describe('client abort through the gateway', () => {
  let sim: RunningSim;
  let gateway: RunningGateway;

  before(async () => {
    // One batch slot, and 5000 tokens at 15 ms each: nothing here ends on its own.
    sim = await startSim(['--max-num-seqs', '1']);
    gateway = await startGateway(['--endpoints-config', writeEndpointsFile({ [MODEL]: [sim.address] })]);
  });

  after(async () => {
    await gateway?.stop();
    await sim?.stop();
  });

  const gauge = async (name: string) => (await sim.metrics()).value(name, LABELS);
  const aborted = async () =>
    (await sim.metrics()).value('vllm:request_success_total', { ...LABELS, finished_reason: 'abort' });
  const gatewayInFlight = async () =>
    (await scrapeMetrics(gateway.adminUrl)).value('switchyard_endpoint_in_flight', { endpoint: sim.address });

  it('a streaming client that disconnects stops its sequence on the engine', async () => {
    const stream = open(gateway.url, { max_tokens: 5000, stream: true }, true);
    await stream.started;
    assert.equal(await gauge('vllm:num_requests_running'), 1);
    assert.equal(await gatewayInFlight(), 1);
    stream.req.destroy();
    await waitUntil(async () => (await gauge('vllm:num_requests_running')) === 0, 'the engine stops');
    assert.equal(await aborted(), 1);
    await waitUntil(async () => (await gatewayInFlight()) === 0, 'the gateway forgets the request');
  });

  it('a client waiting for a whole answer that disconnects stops its sequence', async () => {
    const pending = open(gateway.url, { max_tokens: 5000 }, false);
    await waitUntil(async () => (await gauge('vllm:num_requests_running')) === 1, 'the request runs');
    pending.req.destroy();
    await waitUntil(async () => (await gauge('vllm:num_requests_running')) === 0, 'the engine stops');
    assert.equal(await aborted(), 2);
  });

  it('a client whose request is queued at the engine leaves the queue, and the running one is untouched', async () => {
    const running = open(gateway.url, { max_tokens: 5000, stream: true }, true);
    await running.started;
    const queued = open(gateway.url, { max_tokens: 5000, stream: true }, false);
    await waitUntil(
      async () => (await gauge('vllm:num_requests_waiting')) === 1,
      'the second request queues',
    );
    queued.req.destroy();
    await waitUntil(async () => (await gauge('vllm:num_requests_waiting')) === 0, 'the queue empties');
    assert.equal(await gauge('vllm:num_requests_running'), 1);
    running.req.destroy();
    await waitUntil(async () => (await gauge('vllm:num_requests_running')) === 0, 'the engine stops');
    assert.equal(await aborted(), 4);
    const access = () => gateway.process.logs().filter((l) => l.msg === 'request');
    await waitUntil(
      async () => access().filter((l) => l['clientAborted'] === true).length === 4,
      'each abort is logged as such',
    );
    assert.ok(
      access().every((l) => (l['status'] as number) < 500),
      'a client abort is not a server error',
    );
  });
});
