/**
 * Soak: 1,000 concurrent streaming requests held open together for over a minute through a real
 * gateway to two real simulated engines.
 *
 * Promised and checked:
 * - no errors: every stream is a 200 that ends with `[DONE]`, no error event, no warning
 *   or error in the gateway's log;
 * - every byte arrives: each stream's text is exactly the answer the engine computes for
 *   that prompt (the simulator is deterministic; a fast copy of it gives the expected
 *   text), its usage chunk counts every token, and the engines' own token counters equal
 *   the tokens the clients received;
 * - memory comes back: the gateway's resident memory (VmRSS from /proc) returns to within
 *   20% of its level before the soak once the streams are done.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { writeEndpointsFile } from '../helpers/files.js';
import { type RunningGateway, startGateway } from '../helpers/gateway-process.js';
import { scrapeMetrics } from '../helpers/prometheus.js';
import { type RunningSim, startSim, waitUntil } from '../helpers/sim-process.js';

const MODEL = 'Qwen/Qwen3-8B';
const STREAMS = 1_000;
const PROMPTS = 10;
const TOKENS = 420;
// Each engine takes ~500 streams: 140 ms per token alone, x1.5 with 500 in the batch, so
// 420 tokens take ~88 s, and all 1,000 streams are open together for over 60 s; KV room
// for all of them, so none waits in the engine's queue.
const SLOW = [
  '--model',
  MODEL,
  '--max-num-seqs',
  '1024',
  '--kv-blocks',
  '65536',
  '--decode-ms-per-token',
  '140',
  '--seed',
  '7',
];

function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!kb) throw new Error(`no VmRSS for ${pid}`);
  return Number(kb[1]) * 1024;
}

function openFileLimit(): number {
  const limits = readFileSync('/proc/self/limits', 'utf8');
  return Number(/^Max open files\s+(\d+)/m.exec(limits)?.[1] ?? 0);
}

interface StreamResult {
  status: number;
  text: string;
  completionTokens: number | undefined;
  done: boolean;
  errorEvent: boolean;
  firstByteAt: number;
  endedAt: number;
}

/** One streaming chat, parsed as it arrives (nothing but the answer text is kept). */
function stream(url: string, prompt: string, onFirstByte: () => void): Promise<StreamResult> {
  return new Promise((resolve) => {
    const result: StreamResult = {
      status: 0,
      text: '',
      completionTokens: undefined,
      done: false,
      errorEvent: false,
      firstByteAt: 0,
      endedAt: 0,
    };
    const req = http.request(`${url}/v1/chat/completions`, { method: 'POST', agent: false });
    const finish = () => {
      result.endedAt = Date.now();
      resolve(result);
    };
    req.on('error', finish);
    req.on('response', (res) => {
      result.status = res.statusCode ?? 0;
      res.setEncoding('utf8');
      let pending = '';
      res.on('data', (chunk: string) => {
        if (!result.firstByteAt) {
          result.firstByteAt = Date.now();
          onFirstByte();
        }
        pending += chunk;
        let cut: number;
        while ((cut = pending.indexOf('\n\n')) !== -1) {
          const event = pending.slice(0, cut);
          pending = pending.slice(cut + 2);
          if (event.startsWith('event: error')) result.errorEvent = true;
          const data = event.startsWith('data: ') ? event.slice(6) : undefined;
          if (data === undefined) continue;
          if (data === '[DONE]') {
            result.done = true;
            continue;
          }
          const parsed = JSON.parse(data) as {
            choices: { delta?: { content?: string } }[];
            usage?: { completion_tokens: number } | null;
          };
          result.text += parsed.choices[0]?.delta?.content ?? '';
          if (parsed.usage) result.completionTokens = parsed.usage.completion_tokens;
        }
      });
      res.on('end', finish);
      res.on('error', finish);
    });
    req.end(
      JSON.stringify({
        model: MODEL,
        stream: true,
        stream_options: { include_usage: true },
        max_tokens: TOKENS,
        messages: [{ role: 'user', content: prompt }],
      }),
    );
  });
}

describe('soak: 1,000 concurrent streams for a minute', () => {
  const sims: RunningSim[] = [];
  let reference: RunningSim;
  let gateway: RunningGateway;

  before(async () => {
    // Node raises its soft descriptor limit to the hard one; 1,000 streams need ~2,000 here.
    assert.ok(openFileLimit() >= 4 * STREAMS, `open file limit ${openFileLimit()} is too low for the soak`);
    for (let i = 0; i < 2; i++) sims.push(await startSim(SLOW));
    reference = await startSim(['--model', MODEL, '--seed', '7', '--time-scale', '0.001']);
    gateway = await startGateway([
      '--endpoints-config',
      writeEndpointsFile({ [MODEL]: sims.map((s) => s.address) }),
    ]);
  });

  after(async () => {
    await gateway?.stop();
    for (const s of [...sims, reference]) await s?.stop();
  });

  it('delivers every byte of every stream, without an error, and gives its memory back', async () => {
    const prompts = Array.from({ length: PROMPTS }, (_, i) => `Soak prompt number ${i}: tell a long story.`);
    const expected: string[] = [];
    for (const prompt of prompts) {
      const res = await fetch(`${reference.url}/v1/chat/completions`, {
        method: 'POST',
        body: JSON.stringify({
          model: MODEL,
          max_tokens: TOKENS,
          messages: [{ role: 'user', content: prompt }],
        }),
      });
      const body = (await res.json()) as { choices: { message: { content: string } }[] };
      expected.push(body.choices[0]!.message.content);
    }

    // Warm-up (code paths, connection pools), then the level the soak starts from.
    const warmUp = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        fetch(`${gateway.url}/v1/chat/completions`, {
          method: 'POST',
          body: JSON.stringify({
            model: MODEL,
            stream: true,
            max_tokens: 3,
            messages: [{ role: 'user', content: `w${i}` }],
          }),
        }).then((r) => r.text()),
      ),
    );
    assert.ok(warmUp.every((text) => text.endsWith('data: [DONE]\n\n')));
    await new Promise((r) => setTimeout(r, 1_000));
    const pid = gateway.process.child.pid!;
    const before = rssBytes(pid);
    const generatedTokens = async () => {
      let total = 0;
      for (const sim of sims) total += (await sim.metrics()).total('vllm:generation_tokens_total');
      return total;
    };
    const generatedBefore = await generatedTokens();

    let started = 0;
    let allStartedNow!: () => void;
    const allStarted = new Promise<void>((resolve) => (allStartedNow = resolve));
    const tick = () => {
      if (++started === STREAMS) allStartedNow();
    };
    const sentAt = Date.now();
    // Clients arrive over about a second (50 every 50 ms), as a burst of real clients would.
    const pending: Promise<StreamResult>[] = [];
    for (let i = 0; i < STREAMS; i++) {
      if (i > 0 && i % 50 === 0) await new Promise((r) => setTimeout(r, 50));
      pending.push(stream(gateway.url, prompts[i % PROMPTS]!, tick));
    }
    const results = Promise.all(pending);
    await allStarted;
    const allOpenAt = Date.now();
    const inFlight = (await scrapeMetrics(gateway.adminUrl)).total('switchyard_endpoint_in_flight');
    assert.equal(inFlight, STREAMS, 'all streams are open at once');
    let peak = rssBytes(pid);
    const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(pid))), 1_000);
    const done = await results;
    clearInterval(sampler);
    const firstEndAt = Math.min(...done.map((r) => r.endedAt));

    const problems = done
      .map((r, i) => {
        if (r.status !== 200) return `stream ${i}: status ${r.status}`;
        if (r.errorEvent) return `stream ${i}: error event`;
        if (!r.done) return `stream ${i}: no [DONE]`;
        if (r.text !== expected[i % PROMPTS]) return `stream ${i}: text differs (${r.text.length} chars)`;
        if (r.completionTokens !== TOKENS) return `stream ${i}: usage says ${r.completionTokens} tokens`;
        return undefined;
      })
      .filter(Boolean);
    assert.deepEqual(problems.slice(0, 10), [], `${problems.length} streams went wrong`);

    const generated = (await generatedTokens()) - generatedBefore;
    assert.equal(generated, STREAMS * TOKENS, "the engines' token counters match what the clients received");
    const noisy = (await gateway.process.settledLogs()).filter(
      (l) => l.level === 'warn' || l.level === 'error',
    );
    assert.deepEqual(noisy, [], 'no warning or error in the gateway log');

    await waitUntil(
      async () => (await scrapeMetrics(gateway.adminUrl)).total('switchyard_endpoint_in_flight') === 0,
      'nothing in flight',
    );
    // V8 gives its grown heap back when its memory reducer runs, which on an idle node
    // process takes a minute or two after the load ends (its watchdog is 100 s).
    const endedAt = Date.now();
    let afterSoak = rssBytes(pid);
    const endRss = afterSoak;
    while (afterSoak > before * 1.2 && Date.now() - endedAt < 150_000) {
      await new Promise((r) => setTimeout(r, 1_000));
      afterSoak = rssBytes(pid);
    }
    const returnedAfterS = (Date.now() - endedAt) / 1000;
    assert.ok(
      afterSoak <= before * 1.2,
      `gateway RSS ${afterSoak} bytes 150 s after the soak, started at ${before}`,
    );
    const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
    console.log(
      `soak: ${STREAMS} streams x ${TOKENS} tokens, all open together for ${((firstEndAt - allOpenAt) / 1000).toFixed(1)} s ` +
        `(all open ${((allOpenAt - sentAt) / 1000).toFixed(1)} s after sending); 0 errors; ` +
        `gateway RSS ${mb(before)} MiB before, ${mb(peak)} MiB peak, ${mb(endRss)} MiB at the end, ` +
        `${mb(afterSoak)} MiB ${returnedAfterS.toFixed(0)} s later`,
    );
  });
});
