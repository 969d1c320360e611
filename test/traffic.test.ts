/**
 * `switchyard traffic` against a real gateway: the mix arrives at the model servers with
 * its tenant and session headers, conversations carry their answers into the next turn,
 * errors stay at the gateway, the count bounds it, the same seed sends the same requests,
 * and bad options or an unreachable target are one line.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { FakeUpstream, type RecordedRequest, reply, writeEndpointsFile } from './helpers/fake-upstream.js';
import { runCli, type RunningGateway, startGateway } from './helpers/gateway-process.js';
import { closedPort } from './helpers/ports.js';

/** Answers chats (JSON or streamed), completions and embeddings like an OpenAI server. */
async function answer(req: RecordedRequest, res: import('node:http').ServerResponse): Promise<void> {
  if (req.path === '/v1/embeddings') {
    reply.json(res, 200, {
      object: 'list',
      data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2] }],
      model: 'x',
      usage: { prompt_tokens: 2, total_tokens: 2 },
    });
  } else if (req.path === '/v1/completions') {
    reply.json(res, 200, {
      id: 'c',
      object: 'text_completion',
      created: 1,
      model: 'x',
      choices: [{ index: 0, text: 'done', finish_reason: 'stop' }],
    });
  } else if (req.json?.['stream']) {
    await reply.chatStream(res, ['streamed ', 'answer']);
  } else {
    reply.json(res, 200, reply.chatCompletion('plain answer', req));
  }
}

describe('switchyard traffic', () => {
  let small: FakeUpstream;
  let big: FakeUpstream;
  let gateway: RunningGateway;

  before(async () => {
    [small, big] = await Promise.all([FakeUpstream.start(answer), FakeUpstream.start(answer)]);
    gateway = await startGateway([
      '--endpoints-config',
      writeEndpointsFile({ small: [small.address], big: [big.address] }),
    ]);
  });

  after(async () => {
    await gateway?.stop();
    await small?.close();
    await big?.close();
  });

  const inference = (u: FakeUpstream) => u.requests.filter((r) => r.method === 'POST');

  it('sends the seeded mix through the gateway, bounded by --count', async () => {
    const before = inference(small).length + inference(big).length;
    const result = await runCli([
      'traffic',
      '--target',
      gateway.url,
      '--count',
      '60',
      '--rate',
      '100',
      '--seed',
      '5',
      '--error-share',
      '0.2',
      '--think-scale',
      '0.01',
    ]);
    assert.equal(result.code, 0, result.stderr);
    const done = result.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l['msg'] === 'traffic done') as {
      sent: number;
      statuses: Record<string, number>;
      byKind: Record<string, number>;
    };
    assert.equal(done.sent, 60);
    assert.ok(done.statuses['404']! > 0 && done.statuses['400']! > 0, JSON.stringify(done.statuses));
    const reached = inference(small).length + inference(big).length - before;
    assert.equal(reached, done.statuses['200'], 'every good request reached a model server, no error did');

    const all = [...inference(small), ...inference(big)];
    assert.ok(
      all.every((r) => /^tenant-[abc]$/.test(String(r.headers['x-tenant-id']))),
      'each has a tenant',
    );
    assert.ok(inference(big).length > 0, 'the second model listed gets the prefill/decode share');
    assert.ok(all.some((r) => r.path === '/v1/embeddings') && all.some((r) => r.path === '/v1/completions'));
    assert.ok(
      all.some((r) => r.json?.['stream'] === true) &&
        all.some((r) => r.path === '/v1/chat/completions' && !r.json?.['stream']),
    );

    // A conversation's later turn carries the answers it got, under one session id.
    const sessions = new Map<string, RecordedRequest[]>();
    for (const r of all) {
      const id = r.headers['x-session-id'];
      if (typeof id === 'string') sessions.set(id, [...(sessions.get(id) ?? []), r]);
    }
    const longer = [...sessions.values()].find((turns) => turns.length >= 2);
    assert.ok(longer, 'a conversation went past its first turn');
    const messages = longer[1]!.json!['messages'] as { role: string; content: string }[];
    const assistant = messages.filter((m) => m.role === 'assistant').map((m) => m.content);
    assert.ok(['plain answer', 'streamed answer'].includes(assistant[0]!), JSON.stringify(assistant));
  });

  it('sends the same requests for the same seed', async () => {
    const run = async () => {
      const from = inference(small).length;
      const result = await runCli([
        'traffic',
        '--target',
        gateway.url,
        '--count',
        '15',
        '--rate',
        '100',
        '--seed',
        '9',
        '--concurrency',
        '1',
        '--think-scale',
        '0.01',
      ]);
      assert.equal(result.code, 0, result.stderr);
      return inference(small)
        .slice(from)
        .map((r) => [r.path, r.headers['x-tenant-id'], r.body]);
    };
    const first = await run();
    assert.ok(first.length > 5);
    assert.deepEqual(await run(), first);
  });

  it('refuses unbounded traffic and bad values with exit 2, an unreachable target with exit 1', async () => {
    const unbounded = await runCli(['traffic', '--target', gateway.url, '--duration', '0']);
    assert.equal(unbounded.code, 2);
    assert.equal(unbounded.stderr, 'switchyard: give --duration or --count: the traffic must end\n');
    const share = await runCli(['traffic', '--error-share', '2']);
    assert.equal(share.code, 2);
    assert.equal(share.stderr, 'switchyard: --error-share must be between 0 and 1\n');
    const port = await closedPort();
    const unreachable = await runCli([
      'traffic',
      '--target',
      `http://127.0.0.1:${port}`,
      '--count',
      '1',
      '--wait',
      '300ms',
    ]);
    assert.equal(unreachable.code, 1);
    assert.equal(
      unreachable.stderr,
      `switchyard traffic: http://127.0.0.1:${port}/v1/models did not answer within 300 ms (ECONNREFUSED)\n`,
    );
  });

  it("reaches a target on a port fetch refuses (the lab's Envoy listens on 10080)", async () => {
    // Ports on the WHATWG fetch "bad ports" list that need no privileges; the first free one.
    const badPorts = [10080, 6000, 6665, 6666, 6667, 6668, 6669, 6697, 5060, 5061, 4190, 3659, 2049, 1720];
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.url === '/v1/models')
          reply.json(res, 200, { object: 'list', data: [{ id: 'small', object: 'model' }] });
        else reply.json(res, 404, { error: { message: 'nope' } });
      });
    });
    let port: number | undefined;
    for (const candidate of badPorts) {
      const ok = await new Promise<boolean>((resolve) => {
        server.once('error', () => resolve(false));
        server.listen(candidate, '127.0.0.1', () => resolve(true));
      });
      if (ok) {
        port = candidate;
        break;
      }
    }
    assert.ok(port, `one of ${badPorts.join(', ')} is free`);
    try {
      await assert.rejects(fetch(`http://127.0.0.1:${port}/v1/models`), /fetch failed/, 'fetch refuses it');
      const result = await runCli([
        'traffic',
        '--target',
        `http://127.0.0.1:${port}`,
        '--count',
        '3',
        '--rate',
        '100',
      ]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /"msg":"traffic done"/);
      assert.match(result.stdout, /"sent":3/);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
