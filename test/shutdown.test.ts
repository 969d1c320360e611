/** SIGTERM/SIGINT: stop accepting, let in-flight requests and streams finish, exit 0. */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { deferred, FakeUpstream, reply, writeEndpointsFile } from './helpers/fake-upstream.js';
import { startGateway } from './helpers/gateway-process.js';

describe('graceful shutdown', () => {
  let upstream: FakeUpstream;
  let file: string;
  let release = deferred();

  before(async () => {
    upstream = await FakeUpstream.start(async (_req, res) => {
      await reply.chatStream(res, ['one', 'two', 'three'], release.promise);
    });
    file = writeEndpointsFile({ m: [upstream.address] });
  });

  after(async () => {
    release.resolve();
    await upstream?.close();
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`on ${signal}, an in-flight stream completes, health turns 503, new connections are refused, exit 0`, async () => {
      release = deferred();
      const gateway = await startGateway(['--endpoints-config', file, '--drain-timeout', '10s']);
      const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
        const req = http.request(
          `${gateway.url}/v1/chat/completions`,
          { method: 'POST', agent: false },
          resolve,
        );
        req.on('error', reject);
        req.end(JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] }));
      });
      const chunks = res[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
      let text = (await chunks.next()).value.toString();

      gateway.process.child.kill(signal);
      await gateway.process.waitForLog((l) => l.msg === 'draining');
      const health = await fetch(`${gateway.adminUrl}/health`);
      assert.equal(health.status, 503);
      await assert.rejects(fetch(`${gateway.url}/v1/models`), 'the API no longer accepts connections');

      release.resolve();
      for (let next = await chunks.next(); !next.done; next = await chunks.next())
        text += next.value.toString();
      assert.match(text, /"content":"three"/);
      assert.ok(text.endsWith('data: [DONE]\n\n'), 'the stream finished whole');
      assert.equal(await gateway.process.exited, 0);
      assert.ok(gateway.process.logs().some((l) => l.msg === 'stopped' && l['clean'] === true));
    });
  }

  it('cuts what is still running at the drain deadline and still exits 0', async () => {
    release = deferred();
    const gateway = await startGateway(['--endpoints-config', file, '--drain-timeout', '300ms']);
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request(
        `${gateway.url}/v1/chat/completions`,
        { method: 'POST', agent: false },
        resolve,
      );
      req.on('error', reject);
      req.end(JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] }));
    });
    res.resume();
    const ended = new Promise<void>((resolve) => res.once('close', resolve));
    gateway.process.child.kill('SIGTERM');
    assert.equal(await gateway.process.exited, 0);
    await ended;
    assert.ok(gateway.process.logs().some((l) => l.msg.startsWith('stopped after the drain deadline')));
  });
});
