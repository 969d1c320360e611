import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { FakeUpstream, type RecordedRequest, reply } from '../../test/helpers/fake-upstream.js';
import type { Route } from '../config/model.js';
import { AdapterTable } from '../providers/adapters.js';
import { EndpointRegistry } from '../routing/endpoint-state.js';
import { createLogger } from '../telemetry/logger.js';
import { parseModelList, UpstreamModels } from './upstream-models.js';

describe('parseModelList', () => {
  it('reads ids, owners and creation times, skipping entries without an id', () => {
    const body = JSON.stringify({
      object: 'list',
      data: [{ id: 'a', created: 7, owned_by: 'me' }, { id: 'b' }, { created: 1 }, null, { id: '' }],
    });
    assert.deepEqual(parseModelList(body, 'backend'), [
      { id: 'a', ownedBy: 'me', created: 7 },
      { id: 'b', ownedBy: 'backend', created: 0 },
    ]);
  });

  it('rejects what is not a model list', () => {
    assert.throws(() => parseModelList('<html>', 'b'), /not JSON/);
    assert.throws(() => parseModelList('{"models":[]}', 'b'), /no "data" array/);
  });
});

describe('UpstreamModels against a real upstream', () => {
  let upstream: FakeUpstream;
  let answer: (req: RecordedRequest, res: ServerResponse) => void;

  before(async () => {
    upstream = await FakeUpstream.start((req, res) => answer(req, res));
  });
  after(() => upstream.close());

  function routeTo(port: number): Route {
    return {
      name: 'env/openai',
      matches: [{ kind: 'regex', pattern: /^(?:.*)$/su }],
      backends: [
        {
          backend: {
            name: 'openai',
            provider: { schema: 'openai', pathPrefix: '/v1' },
            endpoints: [{ id: `127.0.0.1:${port}`, host: '127.0.0.1', port, tls: false, role: 'both' }],
            auth: { kind: 'bearer', secret: 'sk-key' },
            headers: {},
          },
          weight: 1,
          priority: 0,
        },
      ],
      listedModels: [],
      listsUpstreamModels: true,
    };
  }

  function models(options: ConstructorParameters<typeof UpstreamModels>[1]) {
    return new UpstreamModels(
      {
        adapters: new AdapterTable(),
        endpoints: new EndpointRegistry(),
        logger: createLogger({ level: 'silent' }),
      },
      options,
    );
  }

  it('fetches with the backend credentials and caches a good list', async () => {
    answer = (req, res) =>
      reply.json(res, 200, {
        data: [{ id: req.headers['authorization'] === 'Bearer sk-key' ? 'ok' : 'no-auth' }],
      });
    const route = routeTo(upstream.port);
    const cache = models({ ttlMs: 60_000 });
    const before = upstream.requests.length;
    const first = await cache.collect([route]);
    const second = await cache.collect([route]);
    assert.deepEqual(first.get(route), [{ id: 'ok', ownedBy: 'openai', created: 0 }]);
    assert.deepEqual(second.get(route), first.get(route));
    assert.equal(upstream.requests.length - before, 1);
    assert.equal(upstream.requests.at(-1)!.path, '/v1/models');
  });

  it('answers an empty list for a failing upstream, and asks again only after failureTtlMs', async () => {
    answer = (_req, res) => reply.json(res, 500, { error: 'down' });
    const route = routeTo(upstream.port);
    const cache = models({ failureTtlMs: 50 });
    const before = upstream.requests.length;
    assert.deepEqual((await cache.collect([route])).get(route), []);
    assert.deepEqual((await cache.collect([route])).get(route), []);
    assert.equal(upstream.requests.length - before, 1);
    await new Promise((r) => setTimeout(r, 80));
    await cache.collect([route]);
    assert.equal(upstream.requests.length - before, 2);
  });

  it('gives up on an upstream that does not answer within timeoutMs', async () => {
    answer = () => {}; // never answers
    const route = routeTo(upstream.port);
    assert.deepEqual((await models({ timeoutMs: 100 }).collect([route])).get(route), []);
  });

  it('ignores routes that do not ask for upstream models', async () => {
    const route = { ...routeTo(upstream.port), listsUpstreamModels: false };
    assert.equal((await models({}).collect([route])).size, 0);
  });
});
