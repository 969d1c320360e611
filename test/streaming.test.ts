/** Streams pass through as they arrive, byte for byte, and end honestly when they break. */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { deferred, FakeUpstream, reply, writeEndpointsFile } from './helpers/fake-upstream.js';
import { type RunningGateway, startGateway } from './helpers/gateway-process.js';

describe('streaming', () => {
  let upstream: FakeUpstream;
  let gateway: RunningGateway;
  let release = deferred();
  const parts = ['Hel', 'lo', ' world'];

  before(async () => {
    upstream = await FakeUpstream.start(async (req, res) => {
      const mode = req.json?.['model'];
      if (mode === 'gated') {
        await reply.chatStream(res, parts, release.promise);
      } else if (mode === 'broken') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: {"choices":[{"index":0,"delta":{"content":"partial"}}]}\n\n');
        setTimeout(() => res.socket?.destroy(), 50);
      } else if (mode === 'stalled') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: {"choices":[{"index":0,"delta":{"content":"then silence"}}]}\n\n');
      }
    });
    const file = writeEndpointsFile({
      gated: [upstream.address],
      broken: [upstream.address],
      stalled: [upstream.address],
    });
    gateway = await startGateway(['--endpoints-config', file, '--idle-timeout', '400ms']);
  });

  after(async () => {
    release.resolve();
    await gateway?.stop();
    await upstream?.close();
  });

  function open(model: string): Promise<http.IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        `${gateway.url}/v1/chat/completions`,
        { method: 'POST', agent: false },
        resolve,
      );
      req.on('error', reject);
      req.end(JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: 'hi' }] }));
    });
  }

  it('delivers the first chunk before the upstream finishes, then the rest unchanged', async () => {
    release = deferred();
    const res = await open('gated');
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'text/event-stream');
    const received: string[] = [];
    const chunks = res[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    const first = (await chunks.next()).value.toString();
    received.push(first);
    assert.match(
      first,
      /"content":"Hel"/,
      'the first chunk arrived while the upstream still holds the last one',
    );
    assert.equal(upstream.requests.at(-1)!.json?.['stream'], true);
    release.resolve();
    for (let next = await chunks.next(); !next.done; next = await chunks.next())
      received.push(next.value.toString());
    const text = received.join('');
    for (const part of parts) assert.ok(text.includes(`"content":"${part}"`), part);
    assert.ok(text.endsWith('data: [DONE]\n\n'));
  });

  it('ends a stream cut by the upstream with an SSE error event and a closed connection', async () => {
    const res = await open('broken');
    let text = '';
    for await (const chunk of res) text += (chunk as Buffer).toString();
    assert.match(text, /"content":"partial"/);
    assert.match(
      text,
      /event: error\ndata: \{"error":\{"message":"The upstream stream was interrupted\.","type":"server_error","code":"upstream_interrupted"/,
    );
  });

  it('ends a stream that goes silent past the idle timeout with an SSE error event', async () => {
    const res = await open('stalled');
    let text = '';
    for await (const chunk of res) text += (chunk as Buffer).toString();
    assert.match(text, /then silence/);
    assert.match(text, /"code":"upstream_idle_timeout"/);
  });
});
