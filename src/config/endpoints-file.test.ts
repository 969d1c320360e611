import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aibrixReferenceDir } from '../../test/helpers/reference.js';
import { ConfigError } from './config-error.js';
import { translateEndpoints } from './endpoints-file.js';
import { YamlSource } from './yaml-source.js';

function load(text: string) {
  return translateEndpoints(YamlSource.parse('endpoints.yaml', text));
}

function rejects(text: string, expected: RegExp) {
  assert.throws(
    () => load(text),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
      assert.match(err.message, expected);
      return true;
    },
  );
}

describe('AIBrix endpoints file', () => {
  it('translates plain endpoints into one exact route per model, port defaulting to 8000', () => {
    const routes = load(`
models:
  - name: "Qwen/Qwen3.5-4B"
    engine: vllm
    endpoints: ["127.0.0.1:8001", "10.0.0.2", "[::1]:9000", "https://gpu.example.com"]
`);
    assert.equal(routes.length, 1);
    const route = routes[0]!;
    assert.deepEqual(route.matches, [{ kind: 'exact', name: 'Qwen/Qwen3.5-4B' }]);
    assert.deepEqual(route.listedModels, [{ id: 'Qwen/Qwen3.5-4B', ownedBy: 'vllm', created: 0 }]);
    const backend = route.backends[0]!.backend;
    assert.deepEqual(backend.provider, { schema: 'openai', pathPrefix: '/v1' });
    assert.deepEqual(
      backend.endpoints.map((e) => [e.id, e.tls, e.role]),
      [
        ['127.0.0.1:8001', false, 'both'],
        ['10.0.0.2:8000', false, 'both'],
        ['[::1]:9000', false, 'both'],
        ['gpu.example.com:443', true, 'both'],
      ],
    );
  });

  it('translates rolesets into prefill and decode endpoints tagged with their roleset', () => {
    const routes = load(`
models:
  - name: big
    rolesets:
      - name: default
        prefill: ["127.0.0.1:8100"]
        decode: ["127.0.0.1:8200", "127.0.0.1:8201"]
`);
    assert.deepEqual(
      routes[0]!.backends[0]!.backend.endpoints.map((e) => [e.id, e.role, e.roleset]),
      [
        ['127.0.0.1:8100', 'prefill', 'default'],
        ['127.0.0.1:8200', 'decode', 'default'],
        ['127.0.0.1:8201', 'decode', 'default'],
      ],
    );
  });

  it('accepts the Switchyard endpoint form with a metrics port or URL', () => {
    const routes = load(`
models:
  - name: m
    routingAlgorithm: least-request
    endpoints:
      - { address: "127.0.0.1:8000", metrics: 9100 }
      - { address: "127.0.0.1:8001", metrics: "http://127.0.0.1:9200/stats" }
`);
    assert.equal(routes[0]!.routingAlgorithm, 'least-request');
    assert.deepEqual(
      routes[0]!.backends[0]!.backend.endpoints.map((e) => e.metricsUrl),
      ['http://127.0.0.1:9100/metrics', 'http://127.0.0.1:9200/stats'],
    );
  });

  const invalid: [string, string, RegExp][] = [
    [
      'both endpoints and rolesets',
      'models:\n  - name: m\n    endpoints: ["a:1"]\n    rolesets: []\n',
      /endpoints\.yaml:2: models\[0\]: set either "endpoints" or "rolesets", not both/,
    ],
    [
      'neither endpoints nor rolesets',
      'models:\n  - name: m\n',
      /models\[0\]: needs "endpoints" or "rolesets"/,
    ],
    [
      'a roleset without a name',
      'models:\n  - name: m\n    rolesets:\n      - prefill: ["a:1"]\n        decode: ["b:1"]\n',
      /endpoints\.yaml:4: models\[0\]\.rolesets\[0\]: a roleset needs a "name"/,
    ],
    [
      'a bad port',
      'models:\n  - name: m\n    endpoints:\n      - "10.0.0.1:http"\n',
      /endpoints\.yaml:4: models\[0\]\.endpoints\[0\]: bad address "10\.0\.0\.1:http": port "http" is not a number/,
    ],
    [
      'a port out of range',
      'models:\n  - name: m\n    endpoints: ["h:70000"]\n',
      /port 70000 is out of range/,
    ],
    [
      'a bad host',
      'models:\n  - name: m\n    endpoints: ["bad host:80"]\n',
      /"bad host" is not a valid host name/,
    ],
    [
      'an unbracketed IPv6',
      'models:\n  - name: m\n    endpoints: ["::1:80"]\n',
      /IPv6 addresses must be written in brackets/,
    ],
    [
      'a duplicate model',
      'models:\n  - name: m\n    endpoints: ["a:1"]\n  - name: m\n    endpoints: ["b:1"]\n',
      /endpoints\.yaml:4: models\[1\]\.name: duplicate model "m" \(already defined at models\[0\]\)/,
    ],
    [
      'a duplicate endpoint',
      'models:\n  - name: m\n    endpoints: ["a:1", "a:1"]\n',
      /models\[0\]\.endpoints\[1\]: duplicate endpoint "a:1"/,
    ],
    [
      'an unknown model key',
      'models:\n  - name: m\n    endpoint: ["a:1"]\n',
      /endpoints\.yaml:3: models\[0\]\.endpoint: unknown key "endpoint" \(allowed: name, engine, endpoints, rolesets, routingAlgorithm\)/,
    ],
    ['an unknown top-level key', 'modles: []\n', /endpoints\.yaml:1: modles: unknown key "modles"/],
    ['an empty model list', 'models: []\n', /models: must list at least one model/],
    ['an empty file', '', /the file is empty/],
    [
      'a non-string name',
      'models:\n  - name: 5\n    endpoints: ["a:1"]\n',
      /models\[0\]\.name: expected a string, got number 5/,
    ],
    ['invalid YAML', 'models: [\n', /endpoints\.yaml:\d+: invalid YAML/],
    [
      'a roleset without decode',
      'models:\n  - name: m\n    rolesets:\n      - name: r\n        prefill: ["a:1"]\n',
      /roleset "r" needs a "decode" list/,
    ],
    [
      'a bad metrics value',
      'models:\n  - name: m\n    endpoints:\n      - { address: "a:1", metrics: "ftp://x" }\n',
      /metrics: "ftp:\/\/x" is not an http\(s\) URL or a port number/,
    ],
  ];
  for (const [what, text, expected] of invalid) {
    it(`rejects ${what} with the file, line, field and reason`, () => rejects(text, expected));
  }

  it('loads the AIBrix reference endpoints.yaml', () => {
    const source = YamlSource.readFile(`${aibrixReferenceDir()}endpoints.yaml`);
    const routes = translateEndpoints(source);
    assert.deepEqual(
      routes.map((r) => [r.name, r.backends[0]!.backend.endpoints.map((e) => e.id)]),
      [['Qwen/Qwen3.5-4B', ['127.0.0.1:8000']]],
    );
  });
});
