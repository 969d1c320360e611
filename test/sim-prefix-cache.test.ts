/**
 * The prefix cache of a real `switchyard sim`: a repeated long prompt is served from
 * cached KV blocks, so its time to first token drops and vllm:prefix_cache_hits_total
 * rises. Times are the engine's own (model) numbers from its TTFT histogram, exact to
 * the latency formula, so the test does not depend on the host's speed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { renderChat } from '../src/sim/engine/chat-template.js';
import { encode } from '../src/sim/engine/tokenizer.js';
import { type RunningSim, startSim } from './helpers/sim-process.js';

const MODEL = 'Qwen/Qwen3-8B';
const LABELS = { model_name: MODEL, engine: '0' };
const PREFILL_MS = 1;
const OVERHEAD_MS = 15;
const BLOCK = 16;

describe('simulator prefix cache', () => {
  let sim: RunningSim;

  before(async () => {
    sim = await startSim([
      '--time-scale',
      '0.01',
      '--prefill-ms-per-token',
      String(PREFILL_MS),
      '--ttft-overhead-ms',
      String(OVERHEAD_MS),
      '--block-size',
      String(BLOCK),
    ]);
  });

  after(async () => {
    await sim?.stop();
  });

  const document = Array.from({ length: 300 }, (_, i) => `Clause ${i}: the yard keeps track ${i % 7}.`).join(
    ' ',
  );
  const system = { role: 'system', content: `Answer from this contract:\n${document}` };

  async function chat(question: string) {
    const before = await sim.metrics();
    const res = await fetch(`${sim.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: MODEL,
        messages: [system, { role: 'user', content: question }],
        max_tokens: 2,
      }),
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as {
      usage: { prompt_tokens: number; prompt_tokens_details: { cached_tokens: number } };
    };
    const after = await sim.metrics();
    const delta = (name: string) => after.value(name, LABELS) - before.value(name, LABELS);
    return {
      usage: body.usage,
      ttftSeconds: delta('vllm:time_to_first_token_seconds_sum'),
      hits: delta('vllm:prefix_cache_hits_total'),
      queries: delta('vllm:prefix_cache_queries_total'),
    };
  }

  it('serves a repeated long prompt from cache: lower TTFT, more prefix-cache hits', async () => {
    const question = 'Which clause mentions track 3 first?';
    const promptTokens = encode(renderChat([system, { role: 'user', content: question }])).length;
    assert.ok(promptTokens > 2000, `a long prompt (${promptTokens} tokens)`);

    const cold = await chat(question);
    assert.equal(cold.usage.prompt_tokens, promptTokens);
    assert.equal(cold.usage.prompt_tokens_details.cached_tokens, 0);
    assert.equal(cold.hits, 0);
    assert.equal(cold.queries, promptTokens);
    assert.ok(Math.abs(cold.ttftSeconds - (OVERHEAD_MS + promptTokens * PREFILL_MS) / 1000) < 1e-9);

    const warm = await chat(question);
    // Every whole block but the one holding the last token comes from the cache.
    const cached = Math.floor((promptTokens - 1) / BLOCK) * BLOCK;
    assert.equal(warm.usage.prompt_tokens_details.cached_tokens, cached);
    assert.equal(warm.hits, cached);
    assert.ok(
      Math.abs(warm.ttftSeconds - (OVERHEAD_MS + (promptTokens - cached) * PREFILL_MS) / 1000) < 1e-9,
    );
    assert.ok(warm.ttftSeconds < cold.ttftSeconds / 10, `${warm.ttftSeconds} vs ${cold.ttftSeconds}`);
  });

  it('reuses a shared system prompt for a different question', async () => {
    const seen = encode(
      renderChat([system, { role: 'user', content: 'Which clause mentions track 3 first?' }]),
    );
    const question = 'Now a different question about clause 12.';
    const ids = encode(renderChat([system, { role: 'user', content: question }]));
    let common = 0;
    while (ids[common] === seen[common]) common++;
    const other = await chat(question);
    assert.equal(other.usage.prompt_tokens_details.cached_tokens, Math.floor(common / BLOCK) * BLOCK);
    assert.ok(other.usage.prompt_tokens_details.cached_tokens > 2000);
    assert.equal(other.hits, other.usage.prompt_tokens_details.cached_tokens);
  });
});
