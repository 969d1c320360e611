/**
 * `x-switchyard-model`: the requested model on every response once the body is parsed, so
 * a proxy in front (Envoy's access log) can name it; never a value that is not a plain
 * printable header.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeUpstream, reply, writeEndpointsFile } from './helpers/fake-upstream.js';
import { type RunningGateway, startGateway } from './helpers/gateway-process.js';

describe('x-switchyard-model response header', () => {
  let upstream: FakeUpstream;
  let gateway: RunningGateway;

  before(async () => {
    upstream = await FakeUpstream.start(async (req, res) => {
      if (req.json?.['stream']) await reply.chatStream(res, ['a', 'b']);
      else reply.json(res, 200, reply.chatCompletion('hi', req));
    });
    gateway = await startGateway([
      '--endpoints-config',
      writeEndpointsFile({ 'org/model-1': [upstream.address] }),
    ]);
  });

  after(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  const post = (body: unknown) =>
    fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const messages = [{ role: 'user', content: 'x' }];

  it('names the model on answers and streams', async () => {
    const json = await post({ model: 'org/model-1', messages });
    assert.equal(json.headers.get('x-switchyard-model'), 'org/model-1');
    await json.text();
    const stream = await post({ model: 'org/model-1', messages, stream: true });
    assert.equal(stream.headers.get('x-switchyard-model'), 'org/model-1');
    await stream.text();
  });

  it('names it on errors after parsing (an unknown model), not before (invalid JSON)', async () => {
    const unknown = await post({ model: 'nope', messages });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.headers.get('x-switchyard-model'), 'nope');
    await unknown.text();
    const invalid = await post('{"model": ');
    assert.equal(invalid.status, 400);
    assert.equal(invalid.headers.get('x-switchyard-model'), null);
    await invalid.text();
  });

  it('leaves it out when the name is not printable ASCII', async () => {
    for (const model of ['модель', 'a\u0007b', 'x'.repeat(300)]) {
      const res = await post({ model, messages });
      assert.equal(res.status, 404);
      assert.equal(res.headers.get('x-switchyard-model'), null, JSON.stringify(model));
      await res.text();
    }
  });
});
