/**
 * Every routing algorithm through the real gateway against real `switchyard sim` engines
 * (at --time-scale 0.02, so engine seconds pass in tens of milliseconds).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { knownAlgorithms } from '../src/routing/algorithms.js';
import { writeTempFile } from './helpers/files.js';
import { type RunningGateway, startGateway } from './helpers/gateway-process.js';
import { type RunningSim, startSim, waitUntil } from './helpers/sim-process.js';

const MODEL = 'Qwen/Qwen3-8B';
const FAST = ['--time-scale', '0.02', '--model', MODEL];
const CONTEXT = 'The following is the handbook of a regional railway company. '.repeat(40);

interface Answer {
  readonly status: number;
  readonly pod: string | null;
  readonly strategy: string | null;
  readonly headers: Headers;
  readonly text: string;
}

async function chat(
  gateway: RunningGateway,
  content: string,
  headers: Record<string, string> = {},
  system = '',
): Promise<Answer> {
  const res = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({
      model: MODEL,
      messages: [...(system ? [{ role: 'system', content: system }] : []), { role: 'user', content }],
      max_tokens: 8,
      stream: true,
    }),
  });
  const text = await res.text();
  return {
    status: res.status,
    pod: res.headers.get('target-pod'),
    strategy: res.headers.get('routing-strategy'),
    headers: res.headers,
    text,
  };
}

async function prefixHits(sim: RunningSim): Promise<number> {
  return (await sim.metrics()).value('vllm:prefix_cache_hits_total');
}

describe('routing over real simulated engines', () => {
  const sims: RunningSim[] = [];
  let gateway: RunningGateway;

  before(async () => {
    for (let i = 0; i < 3; i++) sims.push(await startSim([...FAST, '--seed', String(i)]));
    const file = writeTempFile(
      'endpoints.yaml',
      `models:\n  - name: ${JSON.stringify(MODEL)}\n    endpoints:\n${sims.map((s) => `      - "${s.address}"`).join('\n')}\n`,
    );
    gateway = await startGateway(['--endpoints-config', file, '--engine-metrics-interval', '100ms']);
  });

  after(async () => {
    await gateway?.stop();
    for (const s of sims) await s.stop();
  });

  const fleet = () => new Set(sims.map((s) => s.address));

  it('every algorithm but pd serves streamed answers, chosen by the routing-strategy header', async () => {
    for (const algorithm of knownAlgorithms().filter((a) => a !== 'pd')) {
      for (let i = 0; i < 4; i++) {
        const answer = await chat(gateway, `question ${i} for ${algorithm}`, {
          'routing-strategy': algorithm,
        });
        assert.equal(answer.status, 200, `${algorithm}: ${answer.text}`);
        assert.ok(fleet().has(answer.pod!), `${algorithm} chose ${answer.pod}`);
        assert.ok(
          answer.strategy === algorithm || answer.strategy?.startsWith(`${algorithm}->`),
          answer.strategy ?? '',
        );
        assert.match(answer.text, /data: \[DONE\]/);
      }
    }
  });

  it('least-kv-cache and least-latency decide on their own data once they have it', async () => {
    await waitUntil(
      async () =>
        (await chat(gateway, 'x', { 'routing-strategy': 'least-kv-cache' })).strategy === 'least-kv-cache',
      'engine metrics were scraped',
    );
    // least-request's fallback spreads requests, so every engine soon has latency samples.
    await waitUntil(
      async () =>
        (await chat(gateway, 'y', { 'routing-strategy': 'least-latency' })).strategy === 'least-latency',
      'every engine has latency samples',
    );
  });

  it('prefix-cache keeps a shared context on one engine, whose own cache then hits', async () => {
    const first = await chat(
      gateway,
      'Which trains run on Sundays?',
      { 'routing-strategy': 'prefix-cache' },
      CONTEXT,
    );
    const owner = sims.find((s) => s.address === first.pod)!;
    const hitsBefore = await prefixHits(owner);
    for (const q of ['Is there a night train?', 'Can I take a bicycle?', 'Where do I buy tickets?']) {
      const answer = await chat(gateway, q, { 'routing-strategy': 'prefix-cache' }, CONTEXT);
      assert.equal(answer.pod, owner.address);
      assert.equal(answer.strategy, 'prefix-cache');
    }
    assert.ok(
      (await prefixHits(owner)) - hitsBefore >= 3 * 400,
      'the engine served the context from its cache',
    );
  });

  it('a weighted combination routes and reports its canonical name', async () => {
    const answer = await chat(
      gateway,
      'q',
      { 'routing-strategy': 'prefix-cache:2,least-request:1' },
      CONTEXT,
    );
    assert.equal(answer.status, 200);
    assert.equal(answer.strategy, 'prefix-cache:2,least-request:1');
  });

  it('session-affinity keeps each session on one engine', async () => {
    for (const session of ['s1', 's2', 's3', 's4']) {
      const pods = new Set<string>();
      for (let turn = 0; turn < 3; turn++) {
        const answer = await chat(gateway, `turn ${turn}`, {
          'routing-strategy': 'session-affinity',
          'x-session-id': session,
        });
        assert.equal(answer.headers.get('x-session-id'), session);
        pods.add(answer.pod!);
      }
      assert.equal(pods.size, 1, session);
    }
  });
});

describe('pd over a real prefill/decode roleset', () => {
  let prefill: RunningSim;
  let decode: RunningSim;
  let broken: RunningSim;

  before(async () => {
    prefill = await startSim([...FAST, '--role', 'prefill']);
    decode = await startSim([...FAST, '--role', 'decode']);
    broken = await startSim([...FAST, '--role', 'prefill', '--failure-rate', '1', '--failure-status', '500']);
  });

  after(async () => {
    for (const s of [prefill, decode, broken]) await s?.stop();
  });

  const rolesetGateway = (prefillAddress: string) =>
    startGateway([
      '--endpoints-config',
      writeTempFile(
        'endpoints.yaml',
        `models:\n  - name: ${JSON.stringify(MODEL)}\n    rolesets:\n      - name: default\n        prefill: ["${prefillAddress}"]\n        decode: ["${decode.address}"]\n`,
      ),
      '--routing-algorithm',
      'pd',
      '--max-retries',
      '0',
    ]);

  it('prefills on the prefill engine, decodes on the decode engine, and streams the answer', async () => {
    const gateway = await rolesetGateway(prefill.address);
    try {
      const success = (s: RunningSim) =>
        s.metrics().then((m) => m.all('vllm:request_success_total').reduce((n, x) => n + x.value, 0));
      const ttftSum = (s: RunningSim) =>
        s.metrics().then((m) => m.value('vllm:time_to_first_token_seconds_sum'));
      const before = {
        p: await success(prefill),
        d: await success(decode),
        pt: await ttftSum(prefill),
        dt: await ttftSum(decode),
      };
      const answer = await chat(gateway, 'Explain the timetable.', {}, CONTEXT);
      assert.equal(answer.status, 200, answer.text);
      assert.equal(answer.strategy, 'pd');
      assert.equal(answer.pod, decode.address);
      assert.equal(answer.headers.get('prefill-target-pod'), prefill.address);
      assert.match(answer.text, /"content":"[^"]+".*data: \[DONE\]/s);
      assert.equal((await success(prefill)) - before.p, 1, 'the prefill engine ran the prefill');
      assert.equal((await success(decode)) - before.d, 1, 'the decode engine ran the decode');
      // In engine time (the simulator's latency model, not wall time): the prefill engine paid
      // for computing the ~700-token prompt (0.15 ms/token); the decode engine only for pulling
      // its KV (0.02 ms/token), so kv_transfer_params reached it.
      const prefillTtft = (await ttftSum(prefill)) - before.pt;
      const decodeTtft = (await ttftSum(decode)) - before.dt;
      assert.ok(prefillTtft > 0.1, `prefill engine first token after ${prefillTtft} s`);
      assert.ok(decodeTtft < 0.05, `decode engine first token after ${decodeTtft} s`);
    } finally {
      await gateway.stop();
    }
  });

  it('a failing prefill engine is a 502 prefill_failed, quickly', async () => {
    const gateway = await rolesetGateway(broken.address);
    try {
      const answer = await chat(gateway, 'x');
      assert.equal(answer.status, 502);
      assert.equal((JSON.parse(answer.text) as { error: { code: string } }).error.code, 'prefill_failed');
    } finally {
      await gateway.stop();
    }
  });
});
