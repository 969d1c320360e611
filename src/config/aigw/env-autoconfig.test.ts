import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../config-error.js';
import type { Route } from '../model.js';
import { envRoute } from './env-autoconfig.js';

/** The parts of the env route a user relies on, as plain data. */
function summary(route: Route | undefined) {
  if (!route) return undefined;
  const { backend } = route.backends[0]!;
  return {
    provider: backend.provider,
    endpoint: backend.endpoints.map(({ id, tls }) => ({ id, tls })),
    auth: backend.auth,
    headers: backend.headers,
    matchesAnything: route.matches.some((m) => m.kind === 'regex' && m.pattern.test('any/model:name')),
    listsUpstreamModels: route.listsUpstreamModels,
  };
}

describe('env auto-config', () => {
  it('is off without OPENAI_API_KEY or AZURE_OPENAI_API_KEY (empty counts as unset)', () => {
    assert.equal(envRoute({}), undefined);
    assert.equal(envRoute({ OPENAI_API_KEY: '', AZURE_OPENAI_API_KEY: '' }), undefined);
  });

  const cases: [title: string, env: NodeJS.ProcessEnv, expected: ReturnType<typeof summary>][] = [
    [
      'OPENAI_API_KEY alone: api.openai.com over TLS, /v1',
      { OPENAI_API_KEY: 'sk-a' },
      {
        provider: { schema: 'openai', pathPrefix: '/v1' },
        endpoint: [{ id: 'api.openai.com:443', tls: true }],
        auth: { kind: 'bearer', secret: 'sk-a' },
        headers: {},
        matchesAnything: true,
        listsUpstreamModels: true,
      },
    ],
    [
      'OPENAI_BASE_URL keeps its path (aigw drops it)',
      { OPENAI_API_KEY: 'unused', OPENAI_BASE_URL: 'http://localhost:11434/api/v1/' },
      {
        provider: { schema: 'openai', pathPrefix: '/api/v1' },
        endpoint: [{ id: 'localhost:11434', tls: false }],
        auth: { kind: 'bearer', secret: 'unused' },
        headers: {},
        matchesAnything: true,
        listsUpstreamModels: true,
      },
    ],
    [
      'a base URL without a path and with an IPv6 host',
      { OPENAI_API_KEY: 'k', OPENAI_BASE_URL: 'http://[::1]:8000' },
      {
        provider: { schema: 'openai', pathPrefix: '' },
        endpoint: [{ id: '[::1]:8000', tls: false }],
        auth: { kind: 'bearer', secret: 'k' },
        headers: {},
        matchesAnything: true,
        listsUpstreamModels: true,
      },
    ],
    [
      'organisation and project headers',
      { OPENAI_API_KEY: 'k', OPENAI_ORG_ID: 'org-1', OPENAI_PROJECT_ID: 'proj-2' },
      {
        provider: { schema: 'openai', pathPrefix: '/v1' },
        endpoint: [{ id: 'api.openai.com:443', tls: true }],
        auth: { kind: 'bearer', secret: 'k' },
        headers: { 'openai-organization': 'org-1', 'openai-project': 'proj-2' },
        matchesAnything: true,
        listsUpstreamModels: true,
      },
    ],
    [
      'Azure OpenAI, which wins when both keys are set',
      {
        OPENAI_API_KEY: 'sk-openai',
        AZURE_OPENAI_API_KEY: 'az-key',
        AZURE_OPENAI_ENDPOINT: 'https://res.openai.azure.com/',
        OPENAI_API_VERSION: '2024-10-21',
        OPENAI_PROJECT_ID: 'p',
      },
      {
        provider: { schema: 'azure-openai', apiVersion: '2024-10-21' },
        endpoint: [{ id: 'res.openai.azure.com:443', tls: true }],
        auth: { kind: 'api-key-header', header: 'api-key', secret: 'az-key' },
        headers: { 'openai-project': 'p' },
        matchesAnything: true,
        listsUpstreamModels: true,
      },
    ],
    [
      'an Azure endpoint behind a path prefix keeps it',
      {
        AZURE_OPENAI_API_KEY: 'az',
        AZURE_OPENAI_ENDPOINT: 'http://127.0.0.1:9000/gateway',
        OPENAI_API_VERSION: 'v1',
      },
      {
        provider: { schema: 'azure-openai', apiVersion: 'v1', pathPrefix: '/gateway' },
        endpoint: [{ id: '127.0.0.1:9000', tls: false }],
        auth: { kind: 'api-key-header', header: 'api-key', secret: 'az' },
        headers: {},
        matchesAnything: true,
        listsUpstreamModels: true,
      },
    ],
  ];
  for (const [title, env, expected] of cases) {
    it(title, () => assert.deepEqual(summary(envRoute(env)), expected));
  }

  const failures: [env: NodeJS.ProcessEnv, message: string][] = [
    [
      { AZURE_OPENAI_API_KEY: 'secret-az' },
      'environment: AZURE_OPENAI_ENDPOINT: is required when AZURE_OPENAI_API_KEY is set',
    ],
    [
      { AZURE_OPENAI_API_KEY: 'secret-az', AZURE_OPENAI_ENDPOINT: 'https://x.openai.azure.com' },
      'environment: OPENAI_API_VERSION: is required when AZURE_OPENAI_API_KEY is set',
    ],
    [
      { OPENAI_API_KEY: 'secret-k', OPENAI_BASE_URL: 'localhost:8000' },
      'environment: OPENAI_BASE_URL: scheme "localhost" is not supported (use http or https)',
    ],
    [
      { OPENAI_API_KEY: 'secret-k', OPENAI_BASE_URL: 'not a url' },
      'environment: OPENAI_BASE_URL: is not a URL (expected like https://host[:port][/path])',
    ],
    [
      { OPENAI_API_KEY: 'secret-k', OPENAI_BASE_URL: 'https://user:secret-pw@host/v1' },
      'environment: OPENAI_BASE_URL: must not contain credentials',
    ],
    [
      { OPENAI_API_KEY: 'secret-k', OPENAI_BASE_URL: 'https://host/v1?x=1' },
      'environment: OPENAI_BASE_URL: must not have a query string or fragment',
    ],
  ];
  for (const [env, message] of failures) {
    it(`fails with "${message}"`, () => {
      assert.throws(
        () => envRoute(env),
        (err: unknown) =>
          err instanceof ConfigError && err.message === message && !/secret/.test(err.message),
      );
    });
  }
});
