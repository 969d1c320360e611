/**
 * `--debug` / `SWITCHYARD_DEBUG`: each routing decision is logged with every candidate and
 * the algorithm's score for it (each part's, for a combination); without it, nothing is.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeUpstream, writeEndpointsFile } from './helpers/fake-upstream.js';
import { type LogLine, startGateway } from './helpers/gateway-process.js';

describe('--debug: routing decisions in the log', () => {
  let a: FakeUpstream;
  let b: FakeUpstream;
  let file: string;

  before(async () => {
    [a, b] = await Promise.all([FakeUpstream.start(), FakeUpstream.start()]);
    file = writeEndpointsFile({ m: [a.address, b.address] });
  });

  after(async () => {
    await a?.close();
    await b?.close();
  });

  async function decisions(args: string[], env: NodeJS.ProcessEnv, strategies: string[]): Promise<LogLine[]> {
    const gateway = await startGateway(['--endpoints-config', file, ...args], env);
    try {
      for (const strategy of strategies) {
        const res = await fetch(`${gateway.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'routing-strategy': strategy, 'x-request-id': `debug-${strategy}` },
          body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
        });
        await res.text();
      }
    } finally {
      await gateway.stop();
    }
    return gateway.process.logs().filter((l) => l.msg === 'routing decision');
  }

  it('logs the candidates and their scores with --debug', async () => {
    const [line] = await decisions(['--debug'], {}, ['least-request']);
    assert.ok(line, 'a routing decision line');
    assert.equal(line.level, 'debug');
    assert.equal(line['requestId'], 'debug-least-request');
    assert.equal(line['algorithm'], 'least-request');
    const candidates = line['candidates'] as {
      endpoint: string;
      scores: Record<string, number>;
      inFlight: number;
    }[];
    assert.deepEqual(candidates.map((c) => c.endpoint).sort(), [a.address, b.address].sort());
    for (const c of candidates) assert.deepEqual(c.scores, { 'least-request': 0 });
    assert.ok([a.address, b.address].includes(line['chosen'] as string));
  });

  it("shows each part's score for a combination, with SWITCHYARD_DEBUG=1", async () => {
    const [line] = await decisions([], { SWITCHYARD_DEBUG: '1' }, ['prefix-cache:2,least-request:1']);
    assert.ok(line);
    const candidates = line['candidates'] as { scores: Record<string, number> }[];
    for (const c of candidates)
      assert.deepEqual(Object.keys(c.scores).sort(), ['least-request', 'prefix-cache']);
    assert.equal(line['matchRatio'], 0, 'nothing was cached yet');
  });

  it('logs no decision without it', async () => {
    assert.deepEqual(await decisions([], {}, ['least-request']), []);
  });
});
