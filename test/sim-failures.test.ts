/**
 * Fault injection and the command line of a real `switchyard sim`.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import OpenAI from 'openai';
import { SIM_FLAGS } from '../src/cli/sim-command.js';
import { runCli } from './helpers/gateway-process.js';
import { type RunningSim, startSim } from './helpers/sim-process.js';

const MODEL = 'Qwen/Qwen3-8B';

describe('simulator fault injection', () => {
  const sims: RunningSim[] = [];
  after(async () => {
    await Promise.all(sims.map((s) => s.stop()));
  });

  async function sim(args: string[]) {
    const started = await startSim(['--time-scale', '0.001', ...args]);
    sims.push(started);
    return started;
  }

  it('--failure-rate 1 answers every request with the configured status, OpenAI-shaped', async () => {
    const failing = await sim(['--failure-rate', '1', '--failure-status', '503']);
    const client = new OpenAI({ baseURL: `${failing.url}/v1`, apiKey: 'x', maxRetries: 0 });
    await assert.rejects(
      client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] }),
      (err: unknown) => {
        assert.ok(err instanceof OpenAI.APIError);
        assert.equal(err.status, 503);
        assert.match(err.message, /Injected failure/);
        return true;
      },
    );
    const raw = await fetch(`${failing.url}/v1/embeddings`, {
      method: 'POST',
      body: JSON.stringify({ model: MODEL, input: 'x' }),
    });
    assert.equal(raw.status, 503);
    assert.equal(raw.headers.get('retry-after'), '1');
    assert.deepEqual(await raw.json(), {
      error: {
        message: 'Injected failure (--failure-rate): the simulated engine answered 503.',
        type: 'ServiceUnavailableError',
        param: null,
        code: 503,
      },
    });
    // Bad input is still a 400, not an injected failure.
    const bad = await fetch(`${failing.url}/v1/completions`, { method: 'POST', body: '{}' });
    assert.equal(bad.status, 400);
  });

  it('fails a seeded, repeatable fraction of requests', async () => {
    const pattern = async (s: RunningSim) => {
      const statuses: number[] = [];
      for (let i = 0; i < 30; i++) {
        const res = await fetch(`${s.url}/v1/completions`, {
          method: 'POST',
          body: JSON.stringify({ model: MODEL, prompt: 'x', max_tokens: 1 }),
        });
        await res.arrayBuffer();
        statuses.push(res.status);
      }
      return statuses;
    };
    const args = ['--failure-rate', '0.5', '--failure-status', '429', '--seed', '7'];
    const [a, b] = await Promise.all([sim(args), sim(args)]);
    const first = await pattern(a);
    assert.deepEqual(await pattern(b), first, 'same seed, same failures');
    const failures = first.filter((s) => s === 429).length;
    assert.ok(failures > 5 && failures < 25, `${failures} of 30 failed`);
    assert.ok(first.every((s) => s === 200 || s === 429));
  });
});

describe('switchyard sim command line', () => {
  it('documents every flag in --help', async () => {
    const { code, stdout } = await runCli(['sim', '--help']);
    assert.equal(code, 0);
    for (const flag of SIM_FLAGS) assert.match(stdout, new RegExp(`--${flag.name} `), flag.name);
    assert.match(stdout, /Latency model/);
  });

  it('rejects bad values with exit 2 and one line', async () => {
    const cases: [string[], RegExp][] = [
      [['--max-num-seqs', '0'], /--max-num-seqs must be an integer >= 1/],
      [['--role', 'router'], /expected one of both, prefill, decode/],
      [['--failure-rate', '1.5'], /--failure-rate must be between 0 and 1/],
      [['--failure-status', '200'], /--failure-status must be an HTTP error status/],
      [['--time-scale', '0'], /--time-scale must be a number > 0/],
      [['--decode-ms-per-token', 'fast'], /expected a number/],
      [['--port', '70000'], /expected a port number/],
      [['--bogus'], /Unknown option '--bogus'/],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(['sim', ...args])));
    cases.forEach(([args, message], i) => {
      const { code, stderr } = results[i]!;
      assert.equal(code, 2, args.join(' '));
      assert.match(stderr, message);
      assert.equal(stderr.trim().split('\n').length, 1);
    });
  });
});
