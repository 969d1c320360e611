/**
 * Golden tests of the aigw config loader: each input YAML and the complete runtime model
 * it becomes (routes, settings, warnings, ignored resources), so a reviewer sees every field.
 * Regenerate after an intended change with `UPDATE_GOLDEN=1`.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { aigwReferenceDir } from '../../../test/helpers/reference.js';
import { ConfigError } from '../config-error.js';
import type { Route } from '../model.js';
import { type AigwConfig, loadAigwFile, translateAigw } from './config-file.js';

const FIXTURES = fileURLToPath(new URL('../../../../test/fixtures/aigw/', import.meta.url));
const REFERENCE = aigwReferenceDir();
const NOW = 1_700_000_000;

/** The config as plain JSON, with file paths cut to their base name. */
function snapshot(config: AigwConfig, file: string): unknown {
  const json = JSON.stringify(
    { ...config, routes: config.routes.map(plainRoute) },
    (_key, value: unknown) => value,
    2,
  );
  return JSON.parse(json.split(file).join(basename(file)));
}

function plainRoute(route: Route): unknown {
  return {
    ...route,
    matches: route.matches.map((m) =>
      m.kind === 'regex' ? { kind: 'regex', pattern: m.pattern.source, flags: m.pattern.flags } : m,
    ),
  };
}

function golden(name: string, file: string, env: NodeJS.ProcessEnv): void {
  const actual = snapshot(loadAigwFile(file, { env, now: NOW }), file);
  const goldenFile = `${FIXTURES}${name}.golden.json`;
  if (process.env['UPDATE_GOLDEN'] || !existsSync(goldenFile)) {
    writeFileSync(goldenFile, `${JSON.stringify(actual, null, 2)}\n`);
  }
  assert.deepEqual(actual, JSON.parse(readFileSync(goldenFile, 'utf8')));
}

describe('aigw config file -> runtime model (golden)', () => {
  it('full.yaml: every supported kind and field', () => {
    golden('full', `${FIXTURES}full.yaml`, { AZURE_KEY_FOR_TEST: 'azure-key-from-env' });
  });

  it('full.yaml with its defaulted variables set in the environment', () => {
    const config = loadAigwFile(`${FIXTURES}full.yaml`, {
      env: { GATEWAY_PORT: '9999', LOCAL_PREFIX: '/', AZURE_KEY_FOR_TEST: 'k' },
      now: NOW,
    });
    assert.equal(config.listenPort, 9999);
    const local = config.routes.flatMap((r) => r.backends).find((b) => b.backend.name === 'local')!;
    assert.deepEqual(local.backend.provider, { schema: 'openai', pathPrefix: '' });
  });

  it("the reference ollama.yaml (aigw's Ollama example)", () => {
    golden('reference-ollama', `${REFERENCE}ollama.yaml`, { OPENAI_API_KEY: 'unused' });
  });

  it('the reference translate_basic.in.yaml, whose AWS Bedrock and Service backends are reported', () => {
    golden('reference-translate-basic', `${REFERENCE}translate_basic.in.yaml`, {});
  });
});

/** Inline resources for error cases: a route to backend `b` plus the given extra documents. */
function withBackend(backendSpec: string, extra = ''): string {
  return `apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIGatewayRoute
metadata:
  name: r
spec:
  rules:
    - backendRefs:
        - name: b
---
apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIServiceBackend
metadata:
  name: b
spec:
${backendSpec}
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: Backend
metadata:
  name: be
spec:
  endpoints:
    - fqdn:
        hostname: upstream.local
        port: 8000
${extra}`;
}

const OPENAI_SCHEMA = `  schema:
    name: OpenAI
  backendRef:
    name: be
    kind: Backend
    group: gateway.envoyproxy.io`;

describe('aigw config file errors name the document, the resource and the field', () => {
  const cases: [title: string, text: string, message: string][] = [
    [
      'an unknown schema',
      withBackend(OPENAI_SCHEMA.replace('OpenAI', 'OpenAi')),
      'c.yaml:16: document 2 (AIServiceBackend "b"): spec.schema.name: unknown schema "OpenAi" (Envoy AI Gateway schemas: OpenAI, AzureOpenAI, Cohere, AWSBedrock, GCPVertexAI, GCPAnthropic, Anthropic, AWSAnthropic)',
    ],
    [
      'AzureOpenAI without a version',
      withBackend(OPENAI_SCHEMA.replace('OpenAI', 'AzureOpenAI')),
      'c.yaml:16: document 2 (AIServiceBackend "b"): spec.schema.version: the AzureOpenAI schema needs its api-version here, e.g. "2024-10-21"',
    ],
    [
      'a backendRef to a missing Backend',
      withBackend(OPENAI_SCHEMA.replace('name: be', 'name: nope')),
      'c.yaml:18: document 2 (AIServiceBackend "b"): spec.backendRef.name: Backend "default/nope" is not defined in the file',
    ],
    [
      'a rule naming a missing AIServiceBackend',
      withBackend(OPENAI_SCHEMA).replace('- name: b\n', '- name: missing\n'),
      'c.yaml:8: document 1 (AIGatewayRoute "r"): spec.rules[0].backendRefs[0].name: AIServiceBackend "default/missing" is not defined in the file',
    ],
    [
      'a bad RE2 pattern',
      withBackend(OPENAI_SCHEMA).replace(
        '    - backendRefs:',
        '    - matches:\n        - headers:\n            - type: RegularExpression\n              name: x-ai-eg-model\n              value: "(?=a)b"\n      backendRefs:',
      ),
      'c.yaml:11: document 1 (AIGatewayRoute "r"): spec.rules[0].matches[0].headers[0].value: RE2 pattern "(?=a)b": lookahead and lookbehind are not RE2 syntax',
    ],
    [
      'a negative weight',
      withBackend(OPENAI_SCHEMA).replace('- name: b\n', '- name: b\n          weight: -1\n'),
      'c.yaml:9: document 1 (AIGatewayRoute "r"): spec.rules[0].backendRefs[0].weight: must be between 0 and 2147483647, got -1',
    ],
    [
      'a bad request timeout',
      withBackend(OPENAI_SCHEMA).replace(
        '- name: b\n',
        '- name: b\n      timeouts:\n        request: soon\n',
      ),
      'c.yaml:10: document 1 (AIGatewayRoute "r"): spec.rules[0].timeouts.request: "soon" is not a duration like 500ms, 30s, 2m or 1h',
    ],
    [
      'a policy whose Secret is missing',
      withBackend(
        OPENAI_SCHEMA,
        `---
apiVersion: aigateway.envoyproxy.io/v1beta1
kind: BackendSecurityPolicy
metadata:
  name: p
spec:
  targetRefs:
    - group: aigateway.envoyproxy.io
      kind: AIServiceBackend
      name: b
  type: APIKey
  apiKey:
    secretRef:
      name: absent`,
      ),
      'c.yaml:44: document 4 (BackendSecurityPolicy "p"): spec.apiKey.secretRef.name: Secret "default/absent" is not defined in the file',
    ],
    [
      'a routing-algorithm annotation naming no rule',
      withBackend(OPENAI_SCHEMA).replace(
        '  name: r\n',
        '  name: r\n  annotations:\n    switchyard.io/routing-algorithm.nope: random\n',
      ),
      'c.yaml:6: document 1 (AIGatewayRoute "r"): metadata.annotations.switchyard.io/routing-algorithm.nope: no rule is named "nope" (set rules[].name)',
    ],
    [
      'an unclosed ${',
      withBackend(OPENAI_SCHEMA.replace('name: be', 'name: ${BACKEND')),
      'c.yaml:18: closing brace expected for "${BACKEND"',
    ],
    [
      'a document without kind',
      'apiVersion: v1\nmetadata:\n  name: x\n',
      'c.yaml:1: kind: document 1: every resource needs a "kind"',
    ],
    [
      'two Gateways',
      `${withBackend(OPENAI_SCHEMA)}---\nkind: Gateway\nmetadata:\n  name: g1\n---\nkind: Gateway\nmetadata:\n  name: g2\n`,
      'c.yaml:36: document 5 (Gateway "g2"): only one Gateway is supported (as in aigw run)',
    ],
  ];
  for (const [title, text, message] of cases) {
    it(title, () => {
      assert.throws(
        () => translateAigw('c.yaml', text, { env: {}, now: NOW }),
        (err: unknown) => {
          assert.ok(err instanceof ConfigError, String(err));
          assert.equal(err.message, message);
          return true;
        },
      );
    });
  }

  it('warns, with the place, about unknown fields and matches it cannot evaluate', () => {
    const text = withBackend(OPENAI_SCHEMA).replace(
      '    - backendRefs:\n        - name: b\n',
      `    - matches:
        - headers:
            - name: x-ai-eg-model
              value: m1
            - name: x-tenant
              value: t1
        - headers:
            - name: x-ai-eg-model
              value: m2
      backendRefs:
        - name: b
          weigth: 3
`,
    );
    const config = translateAigw('c.yaml', text, { env: {}, now: NOW });
    assert.deepEqual(config.warnings, [
      'c.yaml:8: document 1 (AIGatewayRoute "r"): spec.rules[0].matches[0]: matching on header "x-tenant" is not supported; this match is dropped',
      'c.yaml:18: document 1 (AIGatewayRoute "r"): spec.rules[0].backendRefs[0].weigth: unknown field; ignored',
    ]);
    assert.deepEqual(config.routes[0]!.matches, [{ kind: 'exact', name: 'm2' }]);
  });

  it('never puts a secret value into a message', () => {
    const text = withBackend(
      OPENAI_SCHEMA,
      `---
apiVersion: v1
kind: Secret
metadata:
  name: s
stringData:
  apiKey: ""
---
apiVersion: aigateway.envoyproxy.io/v1beta1
kind: BackendSecurityPolicy
metadata:
  name: p
spec:
  targetRefs:
    - group: aigateway.envoyproxy.io
      kind: AIServiceBackend
      name: b
  type: APIKey
  apiKey:
    secretRef:
      name: s
---
apiVersion: v1
kind: Secret
metadata:
  name: unused
  annotations:
    substitution.aigw.run/env/apiKey: NOT_SET_ANYWHERE
stringData:
  apiKey: sk-very-secret`,
    );
    const config = translateAigw('c.yaml', text, { env: {}, now: NOW });
    assert.equal(config.warnings.length, 1);
    assert.match(config.warnings[0]!, /Secret "s" has an empty "apiKey"/);
    assert.ok(!JSON.stringify(config.warnings).includes('sk-very-secret'));
  });
});
