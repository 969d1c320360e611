/**
 * The env auto-config of `aigw run`, through the real gateway process, against real
 * upstream servers: each variable combination, what the upstream receives, and the
 * one-line failures at start.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeUpstream, type RecordedRequest, reply, writeEndpointsFile } from './helpers/fake-upstream.js';
import { type RunningGateway, runCli, startGateway } from './helpers/gateway-process.js';

const GATEWAY_KEY = 'sk-gateway-secret-0123456789';
const AZURE_KEY = 'az-gateway-secret-9876543210';

/** An OpenAI-compatible upstream under `prefix` that also serves `GET <prefix>/models`. */
function openAIUpstream(prefix: string, models: string[]) {
  return (req: RecordedRequest, res: import('node:http').ServerResponse) => {
    if (req.method === 'GET' && req.path === `${prefix}/models`) {
      if (req.headers['authorization'] !== `Bearer ${GATEWAY_KEY}`) {
        reply.json(res, 401, { error: { message: 'bad key', type: 'invalid_request_error' } });
        return;
      }
      reply.json(res, 200, {
        object: 'list',
        data: models.map((id) => ({ id, object: 'model', created: 1_700_000_123, owned_by: 'upstream-org' })),
      });
      return;
    }
    reply.json(res, 200, reply.chatCompletion(`served ${req.path}`, req));
  };
}

function chat(url: string, model: string, headers: Record<string, string> = {}) {
  return fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });
}

async function modelIds(url: string): Promise<{ id: string; owned_by: string; created: number }[]> {
  const res = await fetch(`${url}/v1/models`);
  assert.equal(res.status, 200);
  return ((await res.json()) as { data: { id: string; owned_by: string; created: number }[] }).data;
}

describe('OPENAI_API_KEY with OPENAI_BASE_URL, OPENAI_ORG_ID and OPENAI_PROJECT_ID', () => {
  let upstream: FakeUpstream;
  let gateway: RunningGateway;

  before(async () => {
    upstream = await FakeUpstream.start(openAIUpstream('/api/v1', ['qwen2.5:0.5b', 'all-minilm:33m']));
    gateway = await startGateway([], {
      OPENAI_API_KEY: GATEWAY_KEY,
      OPENAI_BASE_URL: `http://127.0.0.1:${upstream.port}/api/v1`,
      OPENAI_ORG_ID: 'org-42',
      OPENAI_PROJECT_ID: 'proj-7',
    });
  });

  after(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  it('keeps the base URL path, replaces the client credentials and adds organisation and project', async () => {
    const res = await chat(gateway.url, 'qwen2.5:0.5b', {
      authorization: 'Bearer client-own-key',
      'api-key': 'client-azure-key',
    });
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    const seen = upstream.requests.at(-1)!;
    assert.equal(seen.path, '/api/v1/chat/completions');
    assert.equal(seen.headers['authorization'], `Bearer ${GATEWAY_KEY}`);
    assert.equal(seen.headers['api-key'], undefined);
    assert.equal(seen.headers['openai-organization'], 'org-42');
    assert.equal(seen.headers['openai-project'], 'proj-7');
    assert.equal(seen.json?.['model'], 'qwen2.5:0.5b');
  });

  it('routes every model name, and completions and embeddings, to the one upstream', async () => {
    const res = await chat(gateway.url, 'any/model:tag');
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    for (const [path, body] of [
      ['/v1/completions', { model: 'm', prompt: 'once' }],
      ['/v1/embeddings', { model: 'all-minilm:33m', input: 'abc' }],
    ] as const) {
      const r = await fetch(`${gateway.url}${path}`, { method: 'POST', body: JSON.stringify(body) });
      assert.equal(r.status, 200);
      await r.arrayBuffer();
      assert.equal(upstream.requests.at(-1)!.path, `/api${path}`);
    }
  });

  it("answers GET /v1/models with the upstream's list, fetched with the gateway key and cached", async () => {
    const first = await modelIds(gateway.url);
    const second = await modelIds(gateway.url);
    assert.deepEqual(
      first.map((m) => m.id),
      ['qwen2.5:0.5b', 'all-minilm:33m'],
    );
    assert.deepEqual(first[0], {
      id: 'qwen2.5:0.5b',
      object: 'model',
      created: 1_700_000_123,
      owned_by: 'upstream-org',
    });
    assert.deepEqual(second, first);
    assert.equal(upstream.requests.filter((r) => r.method === 'GET').length, 1);
  });

  it('never writes the key into its logs', () => {
    assert.ok(!gateway.process.stdout.includes(GATEWAY_KEY));
    assert.ok(!gateway.process.stderr.includes(GATEWAY_KEY));
  });
});

describe('OPENAI_BASE_URL without a path', () => {
  it('sends /chat/completions, and /v1/models is empty when the upstream has no model list', async () => {
    const upstream = await FakeUpstream.start((req, res) => {
      if (req.method === 'GET') reply.json(res, 404, { error: 'no such path' });
      else reply.json(res, 200, reply.chatCompletion('ok', req));
    });
    const gateway = await startGateway([], {
      OPENAI_API_KEY: 'unused',
      OPENAI_BASE_URL: `http://127.0.0.1:${upstream.port}`,
    });
    try {
      const res = await chat(gateway.url, 'llama3');
      assert.equal(res.status, 200);
      await res.arrayBuffer();
      assert.equal(upstream.requests.at(-1)!.path, '/chat/completions');
      assert.deepEqual(await modelIds(gateway.url), []);
      assert.equal(upstream.requests.at(-1)!.path, '/models');
    } finally {
      await gateway.stop();
      await upstream.close();
    }
  });
});

describe('AZURE_OPENAI_API_KEY + AZURE_OPENAI_ENDPOINT + OPENAI_API_VERSION (wins over OPENAI_API_KEY)', () => {
  let upstream: FakeUpstream;
  let gateway: RunningGateway;

  before(async () => {
    upstream = await FakeUpstream.start((req, res) =>
      reply.json(res, 200, reply.chatCompletion('azure', req)),
    );
    gateway = await startGateway([], {
      OPENAI_API_KEY: GATEWAY_KEY,
      AZURE_OPENAI_API_KEY: AZURE_KEY,
      AZURE_OPENAI_ENDPOINT: `http://127.0.0.1:${upstream.port}/`,
      OPENAI_API_VERSION: '2024-10-21',
      OPENAI_ORG_ID: 'org-az',
    });
  });

  after(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  it('puts the deployment and api-version in the path and the key in api-key', async () => {
    const res = await chat(gateway.url, 'gpt-4o', { authorization: 'Bearer client-own-key' });
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    const seen = upstream.requests.at(-1)!;
    assert.equal(seen.path, '/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21');
    assert.equal(seen.headers['api-key'], AZURE_KEY);
    assert.equal(seen.headers['authorization'], undefined);
    assert.equal(seen.headers['openai-organization'], 'org-az');
  });

  it('maps completions and embeddings to their deployment paths', async () => {
    for (const [path, suffix, body] of [
      ['/v1/completions', 'completions', { model: 'gpt-35-instruct', prompt: 'x' }],
      ['/v1/embeddings', 'embeddings', { model: 'text-embedding-3-small', input: 'x' }],
    ] as const) {
      const r = await fetch(`${gateway.url}${path}`, { method: 'POST', body: JSON.stringify(body) });
      assert.equal(r.status, 200);
      await r.arrayBuffer();
      assert.equal(
        upstream.requests.at(-1)!.path,
        `/openai/deployments/${body.model}/${suffix}?api-version=2024-10-21`,
      );
    }
  });

  it('lists no models (Azure has no deployment list to offer) without calling the upstream', async () => {
    const before = upstream.requests.length;
    assert.deepEqual(await modelIds(gateway.url), []);
    assert.equal(upstream.requests.length, before);
  });

  it('never writes either key into its logs', () => {
    for (const key of [AZURE_KEY, GATEWAY_KEY]) {
      assert.ok(!gateway.process.stdout.includes(key));
      assert.ok(!gateway.process.stderr.includes(key));
    }
  });
});

describe('missing or bad companions fail at start with one line', () => {
  const cases: [env: Record<string, string>, line: string][] = [
    [
      { AZURE_OPENAI_API_KEY: AZURE_KEY, OPENAI_API_VERSION: '2024-10-21' },
      'switchyard: config error: environment: AZURE_OPENAI_ENDPOINT: is required when AZURE_OPENAI_API_KEY is set',
    ],
    [
      { AZURE_OPENAI_API_KEY: AZURE_KEY, AZURE_OPENAI_ENDPOINT: 'https://x.openai.azure.com' },
      'switchyard: config error: environment: OPENAI_API_VERSION: is required when AZURE_OPENAI_API_KEY is set',
    ],
    [
      { OPENAI_API_KEY: GATEWAY_KEY, OPENAI_BASE_URL: 'ftp://models.local/v1' },
      'switchyard: config error: environment: OPENAI_BASE_URL: scheme "ftp" is not supported (use http or https)',
    ],
  ];
  for (const [env, line] of cases) {
    it(line.replace('switchyard: config error: ', ''), async () => {
      const result = await runCli(['run', '--port', '0', '--admin-port', '0'], {
        ...env,
      });
      assert.equal(result.code, 1);
      assert.equal(result.stderr, `${line}\n`);
      assert.ok(!result.stdout.includes(GATEWAY_KEY) && !result.stdout.includes(AZURE_KEY));
    });
  }
});

describe('--endpoints-config together with OPENAI_API_KEY', () => {
  it('serves the endpoints-file models exactly and sends every other model to the env provider', async () => {
    const local = await FakeUpstream.start((req, res) =>
      reply.json(res, 200, reply.chatCompletion('local', req)),
    );
    const remote = await FakeUpstream.start(openAIUpstream('/v1', ['gpt-4o', 'local-model']));
    const gateway = await startGateway(
      ['--endpoints-config', writeEndpointsFile({ 'local-model': [local.address] })],
      {
        OPENAI_API_KEY: GATEWAY_KEY,
        OPENAI_BASE_URL: `http://127.0.0.1:${remote.port}/v1`,
      },
    );
    try {
      const a = await chat(gateway.url, 'local-model');
      assert.equal(a.headers.get('target-pod'), local.address);
      await a.arrayBuffer();
      assert.equal(local.requests.at(-1)!.headers['authorization'], undefined);

      const b = await chat(gateway.url, 'gpt-4o');
      assert.equal(b.headers.get('target-pod'), remote.address);
      await b.arrayBuffer();
      assert.equal(remote.requests.at(-1)!.headers['authorization'], `Bearer ${GATEWAY_KEY}`);

      // The remote also reports local-model, but that name is served from the endpoints file.
      const models = await modelIds(gateway.url);
      assert.deepEqual(
        models.map((m) => [m.id, m.owned_by]),
        [
          ['local-model', 'switchyard'],
          ['gpt-4o', 'upstream-org'],
        ],
      );
    } finally {
      await gateway.stop();
      await local.close();
      await remote.close();
    }
  });
});
