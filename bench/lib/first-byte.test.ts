import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { measureFirstByte } from './first-byte.js';

describe('first-byte client', () => {
  let server: http.Server;
  let url: string;

  before(async () => {
    // Sends the first event at once and the last one 20 ms later; /fail answers 500.
    server = http.createServer((req, res) => {
      req.resume();
      if (req.url === '/fail') {
        res.writeHead(500).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"n":1}\n\n');
      setTimeout(() => res.end('data: [DONE]\n\n'), 20);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(() => new Promise<void>((r) => server.close(() => r())));

  it('times the first body byte apart from the end of the stream', async () => {
    const times = await measureFirstByte({ url: `${url}/ok`, body: '{}', headers: {} }, 3);
    assert.equal(times.errors, 0);
    assert.equal(times.firstByteMs.length, 3);
    for (let i = 0; i < 3; i++) {
      assert.ok(times.firstByteMs[i]! < times.totalMs[i]!);
      assert.ok(times.totalMs[i]! >= 15);
    }
  });

  it('counts answers that are not 200 as errors', async () => {
    const times = await measureFirstByte({ url: `${url}/fail`, body: '{}', headers: {} }, 2);
    assert.equal(times.errors, 2);
    assert.equal(times.firstByteMs.length, 0);
  });
});
