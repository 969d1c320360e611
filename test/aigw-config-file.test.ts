// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the config text holds ${VAR}s for the gateway to substitute
/**
 * `switchyard run config.yaml` with an Envoy AI Gateway file, through the real gateway
 * process, against real upstreams started here: weights, priority fallback, model name
 * override, regex matches, rule order, env substitution with defaults, Azure and API keys,
 * request timeouts, the routing-algorithm annotation and unsupported backends.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeUpstream, reply } from './helpers/fake-upstream.js';
import { writeTempFile } from './helpers/files.js';
import { type RunningGateway, runCli, spawnCli, startGateway } from './helpers/gateway-process.js';
import { closedPort } from './helpers/ports.js';
import { aigwReferenceDir } from './helpers/reference.js';

const OPENAI_KEY = 'sk-from-config-0123';
const AZURE_KEY = 'az-from-config-4567';

/** One AIServiceBackend + Backend pair; `port` and `prefix` may be `${VAR}` text. */
function backend(name: string, port: string, schema = 'name: OpenAI'): string {
  return `apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIServiceBackend
metadata:
  name: ${name}
spec:
  schema:
    ${schema}
  backendRef:
    name: ${name}
    kind: Backend
    group: gateway.envoyproxy.io
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: Backend
metadata:
  name: ${name}
spec:
  endpoints:
    - ip:
        address: 127.0.0.1
        port: ${port}
---
`;
}

function exact(model: string): string {
  return `      - headers:
          - type: Exact
            name: x-ai-eg-model
            value: ${model}
`;
}

const CONFIG = `# Written as for aigw run; ports come from the environment.
apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIGatewayRoute
metadata:
  name: main
  annotations:
    switchyard.io/routing-algorithm: least-request
spec:
  rules:
  # A catch-all written first only takes models no other rule names.
  - backendRefs:
      - name: catchall
  - name: weighted
    matches:
${exact('weighted')}    backendRefs:
      - name: three
        weight: 3
      - name: one
        weight: 1
      - name: never
        weight: 0
  - matches:
${exact('fallback-down')}    backendRefs:
      - name: down
        priority: 0
      - name: spare
        priority: 1
  - matches:
${exact('fallback-5xx')}    backendRefs:
      - name: failing
      - name: spare
        priority: 1
  - matches:
${exact('only-5xx')}    backendRefs:
      - name: failing
  - matches:
${exact('alias')}    backendRefs:
      - name: three
        modelNameOverride: real-model-name
  - matches:
      - headers:
          - type: RegularExpression
            name: x-ai-eg-model
            value: (?i)llama-3\\.[0-9]+
    backendRefs:
      - name: one
  - matches:
      - headers:
          - type: RegularExpression
            name: x-ai-eg-model
            value: shadow.*
    backendRefs:
      - name: spare
  - matches:
${exact('shadowed')}    backendRefs:
      - name: one
  - matches:
${exact('slow')}    backendRefs:
      - name: slow
    timeouts:
      request: 300ms
  - matches:
${exact('azure-model')}    backendRefs:
      - name: azure
    modelsOwnedBy: microsoft
    modelsCreatedAt: "2024-10-21T00:00:00Z"
  - matches:
${exact('bedrock-model')}    backendRefs:
      - name: bedrock
---
${backend('three', '${THREE_PORT}', 'name: OpenAI\n    prefix: ${THREE_PREFIX:-/v1}')}${backend('one', '${ONE_PORT}', 'name: OpenAI\n    prefix: api/v1')}${backend('never', '${NEVER_PORT}')}${backend('down', '${DOWN_PORT}')}${backend('spare', '${SPARE_PORT}')}${backend('failing', '${FAILING_PORT}')}${backend('slow', '${SLOW_PORT}')}${backend('catchall', '${CATCHALL_PORT:=1}')}${backend('azure', '${AZURE_PORT}', 'name: AzureOpenAI\n    version: "2024-10-21"')}${backend('bedrock', '${SPARE_PORT}', 'name: AWSBedrock')}apiVersion: v1
kind: Secret
metadata:
  name: openai-key
data:
  apiKey: ${Buffer.from(OPENAI_KEY).toString('base64')}
---
apiVersion: aigateway.envoyproxy.io/v1beta1
kind: BackendSecurityPolicy
metadata:
  name: openai-key
spec:
  targetRefs:
    - group: aigateway.envoyproxy.io
      kind: AIServiceBackend
      name: three
  type: APIKey
  apiKey:
    secretRef:
      name: openai-key
---
apiVersion: v1
kind: Secret
metadata:
  name: azure-key
stringData:
  apiKey: \${AZURE_TEST_KEY}
---
apiVersion: aigateway.envoyproxy.io/v1beta1
kind: BackendSecurityPolicy
metadata:
  name: azure-key
spec:
  targetRefs:
    - group: aigateway.envoyproxy.io
      kind: AIServiceBackend
      name: azure
  type: AzureAPIKey
  azureAPIKey:
    secretRef:
      name: azure-key
---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata:
  name: ignored-class
`;

function chat(url: string, model: string, headers: Record<string, string> = {}) {
  return fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });
}

describe('an Envoy AI Gateway config file', () => {
  const upstreams: Record<string, FakeUpstream> = {};
  let gateway: RunningGateway;

  before(async () => {
    for (const name of ['three', 'one', 'never', 'spare', 'catchall', 'azure']) {
      upstreams[name] = await FakeUpstream.start((req, res) =>
        reply.json(res, 200, reply.chatCompletion(name, req)),
      );
    }
    upstreams['failing'] = await FakeUpstream.start((_req, res) =>
      reply.json(res, 503, { error: { message: 'overloaded upstream', type: 'server_error' } }),
    );
    upstreams['slow'] = await FakeUpstream.start(async (req, res) => {
      await new Promise((r) => setTimeout(r, 3_000).unref());
      if (!res.destroyed) reply.json(res, 200, reply.chatCompletion('late', req));
    });
    const env: Record<string, string> = { AZURE_TEST_KEY: AZURE_KEY };
    for (const [name, upstream] of Object.entries(upstreams))
      env[`${name.toUpperCase()}_PORT`] = String(upstream.port);
    env['DOWN_PORT'] = String(await closedPort());
    gateway = await startGateway([writeTempFile('aigw.yaml', CONFIG)], env);
  });

  after(async () => {
    await gateway?.stop();
    for (const upstream of Object.values(upstreams)) await upstream.close();
  });

  it('splits traffic by weight within a priority (3:1, and 0 gets nothing)', async () => {
    const total = 400;
    const served: Record<string, number> = {};
    for (let sent = 0; sent < total; sent += 20) {
      const batch = await Promise.all(
        Array.from({ length: 20 }, async () => {
          const res = await chat(gateway.url, 'weighted');
          assert.equal(res.status, 200);
          return ((await res.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message
            .content;
        }),
      );
      for (const name of batch) served[name] = (served[name] ?? 0) + 1;
    }
    // Binomial(400, 0.75): mean 300, sd 8.7; +-52 is six sd, a false failure about once in 5e8 runs.
    assert.ok(Math.abs((served['three'] ?? 0) - 300) <= 52, JSON.stringify(served));
    assert.equal((served['three'] ?? 0) + (served['one'] ?? 0), total, JSON.stringify(served));
    assert.equal(served['never'], undefined);
  });

  it('falls back to the next priority when the first backend refuses connections', async () => {
    const res = await chat(gateway.url, 'fallback-down');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('target-pod'), upstreams['spare']!.address);
    await res.arrayBuffer();
  });

  it('falls back to the next priority on a 5xx, which the client never sees', async () => {
    const before = upstreams['failing']!.requests.length;
    const res = await chat(gateway.url, 'fallback-5xx');
    assert.equal(res.status, 200);
    const json = (await res.json()) as { choices: { message: { content: string } }[] };
    assert.equal(json.choices[0]!.message.content, 'spare');
    assert.equal(upstreams['failing']!.requests.length, before + 1);
  });

  it("passes the last backend's 5xx through as it is", async () => {
    const res = await chat(gateway.url, 'only-5xx');
    assert.equal(res.status, 503);
    assert.deepEqual(await res.json(), { error: { message: 'overloaded upstream', type: 'server_error' } });
  });

  it('rewrites the model for modelNameOverride, with the prefix and API key of its backend', async () => {
    const res = await chat(gateway.url, 'alias', { authorization: 'Bearer client-key' });
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    const seen = upstreams['three']!.requests.at(-1)!;
    assert.equal(seen.json?.['model'], 'real-model-name');
    assert.equal(seen.path, '/v1/chat/completions'); // ${THREE_PREFIX:-/v1}
    assert.equal(seen.headers['authorization'], `Bearer ${OPENAI_KEY}`);
  });

  it('matches RE2 regular expressions as whole, case-insensitive with (?i)', async () => {
    for (const model of ['llama-3.1', 'LLAMA-3.70']) {
      const res = await chat(gateway.url, model);
      assert.equal(res.headers.get('target-pod'), upstreams['one']!.address, model);
      await res.arrayBuffer();
      assert.equal(upstreams['one']!.requests.at(-1)!.path, '/api/v1/chat/completions');
    }
    // Not a full match: falls through to the catch-all.
    const res = await chat(gateway.url, 'llama-3.1-8b');
    assert.equal(res.headers.get('target-pod'), upstreams['catchall']!.address);
    await res.arrayBuffer();
  });

  it('evaluates rules in order: an earlier regex wins over a later exact match, the catch-all goes last', async () => {
    const shadowed = await chat(gateway.url, 'shadowed');
    assert.equal(shadowed.headers.get('target-pod'), upstreams['spare']!.address);
    await shadowed.arrayBuffer();
    const other = await chat(gateway.url, 'some-unlisted-model');
    assert.equal(other.headers.get('target-pod'), upstreams['catchall']!.address);
    await other.arrayBuffer();
  });

  it('sends Azure requests to the deployment path with the api-key header', async () => {
    const res = await chat(gateway.url, 'azure-model', { authorization: 'Bearer client-key' });
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    const seen = upstreams['azure']!.requests.at(-1)!;
    assert.equal(seen.path, '/openai/deployments/azure-model/chat/completions?api-version=2024-10-21');
    assert.equal(seen.headers['api-key'], AZURE_KEY);
    assert.equal(seen.headers['authorization'], undefined);
  });

  it('ends a request at timeouts.request with a 504', async () => {
    const res = await chat(gateway.url, 'slow');
    assert.equal(res.status, 504);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'upstream_timeout');
  });

  it('uses the routing algorithm of the switchyard.io/routing-algorithm annotation', async () => {
    const res = await chat(gateway.url, 'alias');
    assert.equal(res.headers.get('routing-strategy'), 'least-request');
    await res.arrayBuffer();
  });

  it('answers 501 for a model whose only backend has an unsupported schema', async () => {
    const res = await chat(gateway.url, 'bedrock-model');
    assert.equal(res.status, 501);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(error.code, 'model_not_supported');
    assert.match(error.message, /AIServiceBackend "bedrock": schema "AWSBedrock" is not supported/);
  });

  it('lists the exact model names it can serve, with modelsOwnedBy and modelsCreatedAt', async () => {
    const res = await fetch(`${gateway.url}/v1/models`);
    const { data } = (await res.json()) as { data: { id: string; owned_by: string; created: number }[] };
    assert.deepEqual(
      data.map((m) => m.id),
      ['weighted', 'fallback-down', 'fallback-5xx', 'only-5xx', 'alias', 'shadowed', 'slow', 'azure-model'],
    );
    assert.deepEqual(data.at(-1), {
      id: 'azure-model',
      object: 'model',
      owned_by: 'microsoft',
      created: 1_729_468_800,
    });
  });

  it('logs the unsupported backend and the ignored resources, never the keys', () => {
    const logs = gateway.process.logs();
    assert.ok(logs.some((l) => l.level === 'warn' && /AWSBedrock/.test(l.msg) && /document \d+/.test(l.msg)));
    assert.ok(logs.some((l) => /GatewayClass "ignored-class"\): ignored/.test(l.msg)));
    for (const key of [OPENAI_KEY, AZURE_KEY]) assert.ok(!gateway.process.stdout.includes(key));
  });
});

/** A config whose Gateway listens on `port` and whose ClientTrafficPolicy limits bodies to 1Ki. */
function gatewayConfig(upstreamPort: number, port: number): string {
  return `${backend('b', String(upstreamPort))}apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIGatewayRoute
metadata:
  name: r
spec:
  rules:
    - backendRefs:
        - name: b
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: gw
spec:
  listeners:
    - name: http
      protocol: HTTP
      port: ${port}
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: ClientTrafficPolicy
metadata:
  name: limit
spec:
  connection:
    bufferLimit: 1Ki
`;
}

describe('Gateway and ClientTrafficPolicy', () => {
  it('listens on the Gateway port and limits bodies to bufferLimit, unless flags say otherwise', async () => {
    const upstream = await FakeUpstream.start((req, res) =>
      reply.json(res, 200, reply.chatCompletion('ok', req)),
    );
    const port = await closedPort();
    const file = writeTempFile('gw.yaml', gatewayConfig(upstream.port, port));
    const big = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x'.repeat(2048) }] });
    const small = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
    const cli = spawnCli([
      'run',
      file,
      '--host',
      '127.0.0.1',
      '--admin-host',
      '127.0.0.1',
      '--admin-port',
      '0',
    ]);
    try {
      const ready = await cli.waitForLog((l) => l.msg === 'switchyard listening');
      assert.equal(ready['port'], port);
      const url = `http://127.0.0.1:${port}/v1/chat/completions`;
      assert.equal((await fetch(url, { method: 'POST', body: small })).status, 200);
      const tooBig = await fetch(url, { method: 'POST', body: big });
      assert.equal(tooBig.status, 413);
      await tooBig.arrayBuffer();
    } finally {
      await cli.stop();
    }

    const flagged = await startGateway([file, '--max-body-size', '10Ki']);
    try {
      assert.notEqual(flagged.port, port);
      const res = await fetch(`${flagged.url}/v1/chat/completions`, { method: 'POST', body: big });
      assert.equal(res.status, 200);
      await res.arrayBuffer();
    } finally {
      await flagged.stop();
      await upstream.close();
    }
  });
});

describe('reference files from Envoy AI Gateway', () => {
  it('translate_basic.in.yaml serves what it can and answers 501 for AWS Bedrock and Service backends', async () => {
    const gateway = await startGateway([`${aigwReferenceDir()}translate_basic.in.yaml`]);
    try {
      const models = (await (await fetch(`${gateway.url}/v1/models`)).json()) as { data: { id: string }[] };
      assert.deepEqual(
        models.data.map((m) => m.id),
        ['gpt-4o-mini'],
      );
      for (const [model, reason] of [
        ['llama3-2-1b-instruct-v1', /AWSBedrock/],
        ['some-cool-self-hosted-model', /backendRef kind "Service"/],
      ] as const) {
        const res = await chat(gateway.url, model);
        assert.equal(res.status, 501);
        assert.match(((await res.json()) as { error: { message: string } }).error.message, reason);
      }
    } finally {
      await gateway.stop();
    }
  });

  it('ollama.yaml starts (its Gateway port gives way to --port)', async () => {
    const gateway = await startGateway([`${aigwReferenceDir()}ollama.yaml`], {
      OPENAI_API_KEY: 'unused',
    });
    try {
      assert.notEqual(gateway.port, 1975);
      assert.equal((await fetch(`${gateway.url}/v1/models`)).status, 200);
    } finally {
      await gateway.stop();
    }
  });
});

describe('a broken config file', () => {
  it('exits 1 with one line naming the file, line, document, resource and field', async () => {
    const file = writeTempFile('bad.yaml', backend('b', '8000', 'name: Cohere2'));
    const result = await runCli(['run', file, '--port', '0', '--admin-port', '0']);
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      `switchyard: config error: ${file}:7: document 1 (AIServiceBackend "b"): spec.schema.name: unknown schema "Cohere2" (Envoy AI Gateway schemas: OpenAI, AzureOpenAI, Cohere, AWSBedrock, GCPVertexAI, GCPAnthropic, Anthropic, AWSAnthropic)\n`,
    );
  });
});
