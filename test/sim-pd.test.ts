/**
 * vLLM-style disaggregated prefill/decode between two real `switchyard sim` processes:
 * the prefill engine answers after prefill with NixlConnector-style kv_transfer_params;
 * the decode engine given them pays the KV transfer instead of the prefill.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningSim, startSim } from './helpers/sim-process.js';

const MODEL = 'Qwen/Qwen3-32B';
const LABELS = { model_name: MODEL, engine: '0' };
const TIMING = ['--time-scale', '0.01', '--prefill-ms-per-token', '1', '--kv-transfer-ms-per-token', '0.05'];

interface KvParams {
  do_remote_prefill: boolean;
  do_remote_decode: boolean;
  remote_block_ids: number[];
  remote_engine_id: string;
  remote_request_id: string;
  remote_host: string;
  remote_port: number;
}

interface CompletionBody {
  id: string;
  choices: { finish_reason: string }[];
  usage: { prompt_tokens: number; completion_tokens: number };
  kv_transfer_params: KvParams | null;
  error?: { param: string };
}

async function post(url: string, body: Record<string, unknown>) {
  const res = await fetch(`${url}/v1/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: MODEL, ...body }),
  });
  return { status: res.status, body: (await res.json()) as CompletionBody };
}

describe('simulator prefill/decode disaggregation', () => {
  let prefill: RunningSim;
  let decode: RunningSim;

  before(async () => {
    [prefill, decode] = await Promise.all([
      startSim(['--model', MODEL, '--role', 'prefill', ...TIMING]),
      startSim(['--model', MODEL, '--role', 'decode', ...TIMING]),
    ]);
  });

  after(async () => {
    await Promise.all([prefill?.stop(), decode?.stop()]);
  });

  const prompt = (topic: string) => Array.from({ length: 120 }, (_, i) => `${topic} line ${i}.`).join(' ');

  async function ttftOf(sim: RunningSim, run: () => Promise<unknown>): Promise<number> {
    const before = (await sim.metrics()).value('vllm:time_to_first_token_seconds_sum', LABELS);
    await run();
    return (await sim.metrics()).value('vllm:time_to_first_token_seconds_sum', LABELS) - before;
  }

  it('hands the prompt KV from the prefill engine to the decode engine', async () => {
    const text = prompt('handoff');
    // Step 1, as vLLM's proxy sends it.
    const first = await post(prefill.url, {
      prompt: text,
      max_tokens: 1,
      kv_transfer_params: {
        do_remote_decode: true,
        do_remote_prefill: false,
        remote_engine_id: null,
        remote_block_ids: null,
        remote_host: null,
        remote_port: null,
      },
    });
    assert.equal(first.status, 200);
    assert.equal(first.body.usage.completion_tokens, 1);
    assert.equal(first.body.choices[0]!.finish_reason, 'length');
    const params = first.body.kv_transfer_params!;
    const promptTokens = first.body.usage.prompt_tokens;
    assert.equal(params.do_remote_prefill, true);
    assert.equal(params.do_remote_decode, false);
    assert.equal(params.remote_engine_id, prefill.engineId);
    assert.equal(params.remote_host, '127.0.0.1');
    assert.equal(params.remote_port, prefill.port);
    assert.equal(params.remote_request_id, first.body.id);
    assert.equal(params.remote_block_ids.length, Math.ceil(promptTokens / 16));
    assert.ok(params.remote_block_ids.every((b) => Number.isInteger(b)));

    // Step 2: the decode engine pulls the KV (0.05 ms/token) instead of computing it (1 ms/token).
    let second: Awaited<ReturnType<typeof post>> | undefined;
    const ttft = await ttftOf(decode, async () => {
      second = await post(decode.url, { prompt: text, max_tokens: 6, kv_transfer_params: params });
    });
    assert.equal(second!.status, 200);
    assert.equal(second!.body.usage.completion_tokens, 6);
    assert.equal(second!.body.kv_transfer_params, null);
    assert.ok(Math.abs(ttft - (15 + promptTokens * 0.05) / 1000) < 1e-9, String(ttft));
  });

  it('pays the full prefill on a decode engine without kv_transfer_params', async () => {
    const text = prompt('standalone');
    let promptTokens = 0;
    const ttft = await ttftOf(decode, async () => {
      const res = await post(decode.url, { prompt: text, max_tokens: 2 });
      promptTokens = res.body.usage.prompt_tokens;
    });
    assert.ok(Math.abs(ttft - (15 + promptTokens * 1) / 1000) < 1e-9, String(ttft));
  });

  it('serves a prefill engine normally when the request does not ask for a handoff', async () => {
    const res = await post(prefill.url, { prompt: prompt('plain'), max_tokens: 4 });
    assert.equal(res.body.usage.completion_tokens, 4);
    assert.equal(res.body.kv_transfer_params, null);
  });

  it('puts kv_transfer_params on the finishing chunk of a streamed prefill', async () => {
    const res = await fetch(`${prefill.url}/v1/completions`, {
      method: 'POST',
      body: JSON.stringify({
        model: MODEL,
        prompt: prompt('stream'),
        stream: true,
        kv_transfer_params: { do_remote_decode: true },
      }),
    });
    const events = (await res.text()).split('\n\n').filter((e) => e.startsWith('data: {'));
    const chunks = events.map((e) => JSON.parse(e.slice(6)) as CompletionBody);
    assert.equal(chunks.length, 2, 'one token, then the finishing chunk');
    assert.equal(chunks[1]!.choices[0]!.finish_reason, 'length');
    assert.equal(chunks[1]!.kv_transfer_params!.remote_engine_id, prefill.engineId);
  });

  it('rejects handoff parameters that name no prefill engine', async () => {
    const res = await post(decode.url, { prompt: 'x', kv_transfer_params: { do_remote_prefill: true } });
    assert.equal(res.status, 400);
    assert.equal(res.body.error!.param, 'kv_transfer_params.remote_engine_id');
  });
});
