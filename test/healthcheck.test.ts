/**
 * `switchyard healthcheck` (the Dockerfile's HEALTHCHECK) against a real gateway: exit 0
 * while it serves, exit 1 with the reason while it drains, when nothing listens, and when
 * /health does not answer in time.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { deferred, FakeUpstream, reply, writeEndpointsFile } from './helpers/fake-upstream.js';
import { runCli, startGateway } from './helpers/gateway-process.js';
import { closedPort } from './helpers/ports.js';
import { startSim } from './helpers/sim-process.js';

describe('switchyard healthcheck', () => {
  let upstream: FakeUpstream;
  let file: string;
  let release = deferred();

  before(async () => {
    upstream = await FakeUpstream.start(async (_req, res) => {
      await reply.chatStream(res, ['one', 'two'], release.promise);
    });
    file = writeEndpointsFile({ m: [upstream.address] });
  });

  after(async () => {
    release.resolve();
    await upstream?.close();
  });

  it('exits 0 while the gateway serves, 1 with "draining" while it drains', async () => {
    release = deferred();
    const gateway = await startGateway(['--endpoints-config', file, '--drain-timeout', '10s']);
    try {
      const ok = await runCli(['healthcheck', '--admin-port', String(gateway.adminPort)]);
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(ok.stdout, `healthy: http://127.0.0.1:${gateway.adminPort}/health answered 200\n`);

      // An open stream keeps the gateway draining after SIGTERM.
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
      gateway.process.child.kill('SIGTERM');
      await gateway.process.waitForLog((l) => l.msg === 'draining');
      const draining = await runCli(['healthcheck', '--admin-port', String(gateway.adminPort)]);
      assert.equal(draining.code, 1);
      assert.equal(
        draining.stderr,
        `switchyard healthcheck: unhealthy: http://127.0.0.1:${gateway.adminPort}/health answered 503 (draining, 1 in flight)\n`,
      );
      release.resolve();
      assert.equal(await gateway.process.exited, 0);
    } finally {
      release.resolve();
      await gateway.stop();
    }
  });

  it('exits 1 naming the port when nothing listens there', async () => {
    const port = await closedPort();
    const result = await runCli(['healthcheck', '--admin-port', String(port)]);
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      `switchyard healthcheck: unhealthy: nothing listens at http://127.0.0.1:${port}/health (connection refused): is the gateway running, with this --admin-port?\n`,
    );
  });

  it('exits 1 when /health does not answer within --timeout', async () => {
    // Accepts the connection and never answers.
    const silent = net.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    try {
      const result = await runCli(['healthcheck', '--admin-port', String(port), '--timeout', '300ms']);
      assert.equal(result.code, 1);
      assert.equal(
        result.stderr,
        `switchyard healthcheck: unhealthy: http://127.0.0.1:${port}/health did not answer within 300 ms\n`,
      );
    } finally {
      silent.close();
    }
  });

  it('checks a simulated engine on its own port (the compose sims use it)', async () => {
    const sim = await startSim();
    try {
      const result = await runCli(['healthcheck', '--admin-port', String(sim.port)]);
      assert.equal(result.code, 0, result.stderr);
    } finally {
      await sim.stop();
    }
  });

  it('rejects a bad port with exit 2', async () => {
    const result = await runCli(['healthcheck', '--admin-port', 'x']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /invalid value "x" for --admin-port/);
  });
});
