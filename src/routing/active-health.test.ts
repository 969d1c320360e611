import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { waitUntil } from '../../test/helpers/sim-process.js';
import { ActiveHealthChecker } from './active-health.js';
import { EndpointRegistry } from './endpoint-state.js';

describe('ActiveHealthChecker', () => {
  let server: http.Server;
  let status = 200;
  const paths: string[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      paths.push(req.url ?? '');
      res.writeHead(status).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  after(() => {
    server.closeAllConnections();
    server.close();
  });

  const spec = () => {
    const { port } = server.address() as AddressInfo;
    return { id: `127.0.0.1:${port}`, host: '127.0.0.1', port, tls: false, role: 'both' as const };
  };

  it('takes an endpoint out after the unhealthy threshold and back after the healthy one', async () => {
    const state = new EndpointRegistry().state(spec());
    const changes: (string | undefined)[] = [];
    const checker = new ActiveHealthChecker({
      intervalMs: 5,
      timeoutMs: 500,
      path: '/ready',
      unhealthyThreshold: 3,
      healthyThreshold: 2,
      onChange: (_id, problem) => changes.push(problem),
    });
    checker.setTargets([state]);
    checker.start();
    try {
      await waitUntil(async () => paths.length >= 2, 'checks run');
      assert.ok(paths.every((p) => p === '/ready'));
      status = 503;
      await waitUntil(async () => !state.probeHealthy, 'out');
      assert.equal(state.healthy, false);
      assert.deepEqual(changes, ['HTTP 503'], 'reported once');
      status = 204;
      await waitUntil(async () => state.probeHealthy, 'back');
      assert.deepEqual(changes, ['HTTP 503', undefined]);
    } finally {
      checker.stop();
    }
  });

  it('a passing check ends a passive ejection; a refused connection fails a check', async () => {
    status = 200;
    const state = new EndpointRegistry().state(spec());
    state.ejectedUntil = Date.now() + 60_000;
    const checker = new ActiveHealthChecker({
      intervalMs: 5,
      timeoutMs: 500,
      path: '/health',
      unhealthyThreshold: 1,
      healthyThreshold: 1,
    });
    checker.setTargets([state]);
    checker.start();
    await waitUntil(async () => state.healthy, 'readmitted');
    checker.stop();
    const gone = new EndpointRegistry().state({ ...spec(), id: '127.0.0.1:9', port: 9 });
    assert.match((await checker.check(gone)) ?? '', /ECONNREFUSED/);
  });

  it('stops checking endpoints removed from its targets', async () => {
    status = 200;
    const registry = new EndpointRegistry();
    const state = registry.state(spec());
    const checker = new ActiveHealthChecker({
      intervalMs: 5,
      timeoutMs: 500,
      path: '/removed',
      unhealthyThreshold: 1,
      healthyThreshold: 1,
    });
    checker.setTargets([state]);
    checker.start();
    await waitUntil(async () => paths.includes('/removed'), 'checked');
    checker.setTargets([]);
    await new Promise((r) => setTimeout(r, 30));
    const count = paths.filter((p) => p === '/removed').length;
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(paths.filter((p) => p === '/removed').length, count);
    checker.stop();
  });
});
