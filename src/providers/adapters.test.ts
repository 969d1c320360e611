/** One contract for every provider adapter, then what each one adds. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Operation } from '../api/inference-request.js';
import type { Backend, ProviderSpec } from '../config/model.js';
import { AdapterTable } from './adapters.js';

function backend(provider: ProviderSpec, auth?: Backend['auth']): Backend {
  return {
    name: 'b',
    provider,
    endpoints: [{ id: 'h:1', host: 'h', port: 1, tls: false, role: 'both' }],
    headers: { 'OpenAI-Organization': 'org-1' },
    ...(auth ? { auth } : {}),
  };
}

const PROVIDERS: [name: string, provider: ProviderSpec, paths: Record<Operation, string>][] = [
  [
    'openai',
    { schema: 'openai', pathPrefix: '/api/v1' },
    { chat: '/api/v1/chat/completions', completion: '/api/v1/completions', embeddings: '/api/v1/embeddings' },
  ],
  [
    'azure-openai',
    { schema: 'azure-openai', apiVersion: '2024-10-21' },
    {
      chat: '/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21',
      completion: '/openai/deployments/gpt-4o/completions?api-version=2024-10-21',
      embeddings: '/openai/deployments/gpt-4o/embeddings?api-version=2024-10-21',
    },
  ],
];

for (const [name, provider, paths] of PROVIDERS) {
  describe(`${name} adapter contract`, () => {
    it('writes the path of each operation for the upstream model', () => {
      const adapter = new AdapterTable().for(backend(provider));
      for (const op of ['chat', 'completion', 'embeddings'] as const)
        assert.equal(adapter.path(op, 'gpt-4o'), paths[op]);
    });

    it('sets the backend headers (lower-cased) and, with credentials, drops the client ones', () => {
      const table = new AdapterTable();
      const open = table.for(backend(provider));
      assert.deepEqual(open.headers, { 'openai-organization': 'org-1' });
      assert.deepEqual(open.dropClientHeaders, []);
      const bearer = table.for(backend(provider, { kind: 'bearer', secret: 'sk-1' }));
      assert.equal(bearer.headers['authorization'], 'Bearer sk-1');
      assert.deepEqual([...bearer.dropClientHeaders].sort(), ['api-key', 'authorization', 'x-api-key']);
      const apiKey = table.for(
        backend(provider, { kind: 'api-key-header', header: 'api-key', secret: 'az-1' }),
      );
      assert.equal(apiKey.headers['api-key'], 'az-1');
      assert.equal(apiKey.headers['authorization'], undefined);
      assert.ok(apiKey.dropClientHeaders.includes('authorization'));
    });

    it('is built once per backend', () => {
      const table = new AdapterTable();
      const b = backend(provider);
      assert.equal(table.for(b), table.for(b));
    });
  });
}

describe('azure-openai adapter', () => {
  it('keeps a path prefix and encodes the deployment name', () => {
    const adapter = new AdapterTable().for(
      backend({ schema: 'azure-openai', apiVersion: '2024-02-01', pathPrefix: '/proxy' }),
    );
    assert.equal(
      adapter.path('chat', 'my deployment'),
      '/proxy/openai/deployments/my%20deployment/chat/completions?api-version=2024-02-01',
    );
  });

  it('offers no model list (Azure lists base models, not deployments)', () => {
    assert.equal(
      new AdapterTable().for(backend({ schema: 'azure-openai', apiVersion: 'v' })).modelsPath,
      undefined,
    );
  });
});

describe('openai adapter', () => {
  it('lists models under its prefix', () => {
    assert.equal(
      new AdapterTable().for(backend({ schema: 'openai', pathPrefix: '/api/v1' })).modelsPath,
      '/api/v1/models',
    );
  });
});
