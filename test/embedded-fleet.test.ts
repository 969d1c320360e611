/**
 * `switchyard run` with nothing configured: the real CLI starts the embedded fleet of
 * simulated engines, announces it, and serves chat completions through the gateway.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { type RunningGateway, runCli, startGateway } from './helpers/gateway-process.js';
import { parsePrometheus } from './helpers/prometheus.js';

const NO_PROVIDER_KEYS = { OPENAI_API_KEY: '', AZURE_OPENAI_API_KEY: '' };

interface FleetLog {
  models: { name: string; endpoints: string[]; rolesets: { prefill: string[]; decode: string[] }[] }[];
}

describe('embedded default fleet', () => {
  let gateway: RunningGateway;
  let fleet: FleetLog;

  before(async () => {
    gateway = await startGateway(['--sim-time-scale', '0.01'], NO_PROVIDER_KEYS);
    fleet = (await gateway.process.waitForLog(
      (l) => l.msg === 'embedded simulated fleet ready',
    )) as unknown as FleetLog;
  });

  after(async () => {
    assert.equal(await gateway?.stop(), 0, 'stops cleanly, fleet included');
  });

  it('announces the models, the URL and a ready-to-paste curl', async () => {
    const [replicated, disaggregated] = fleet.models;
    assert.equal(replicated!.name, 'Qwen/Qwen3-8B');
    assert.equal(replicated!.endpoints.length, 3);
    assert.equal(disaggregated!.name, 'Qwen/Qwen3-32B');
    assert.equal(disaggregated!.rolesets[0]!.prefill.length, 1);
    assert.equal(disaggregated!.rolesets[0]!.decode.length, 1);
    const banner = gateway.process.stderr;
    assert.match(banner, /Qwen\/Qwen3-8B\s+3 replicas/);
    assert.match(banner, new RegExp(`Gateway: ${gateway.url}`));
    assert.match(banner, new RegExp(`curl -s ${gateway.url}/v1/chat/completions`));
    assert.match(banner, /"model":"Qwen\/Qwen3-8B"/);
  });

  it('serves chat completions from the fleet through the gateway', async () => {
    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    const { data, response } = await client.chat.completions
      .create({ model: 'Qwen/Qwen3-8B', messages: [{ role: 'user', content: 'Hello!' }], max_tokens: 8 })
      .withResponse();
    assert.equal(data.choices[0]!.finish_reason, 'length');
    assert.equal(data.usage?.completion_tokens, 8);
    assert.ok(fleet.models[0]!.endpoints.includes(response.headers.get('target-pod')!));

    const stream = await client.chat.completions.create({
      model: 'Qwen/Qwen3-32B',
      messages: [{ role: 'user', content: 'Hello!' }],
      max_tokens: 4,
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    assert.ok(text.split(' ').length === 4, text);

    const models = await client.models.list();
    assert.deepEqual(
      models.data.map((m) => m.id),
      ['Qwen/Qwen3-8B', 'Qwen/Qwen3-32B'],
    );
  });

  it('routes the disaggregated model to its decode engine and counts requests on the engines', async () => {
    const res = await fetch(`${gateway.url}/v1/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'Qwen/Qwen3-32B', prompt: 'hi', max_tokens: 2 }),
    });
    assert.equal(res.status, 200);
    const decode = fleet.models[1]!.rolesets[0]!.decode[0]!;
    assert.equal(res.headers.get('target-pod'), decode);
    const metrics = parsePrometheus(await (await fetch(`http://${decode}/metrics`)).text());
    const served = metrics.all('vllm:request_success_total').reduce((sum, s) => sum + s.value, 0);
    assert.ok(served >= 2, `decode engine served ${served}`);
  });
});

describe('switchyard run without model servers', () => {
  it('does not start the fleet when a provider key is set', async () => {
    const { code, stderr } = await runCli(['run', '--port', '0', '--admin-port', '0'], {
      OPENAI_API_KEY: 'sk-set',
      AZURE_OPENAI_API_KEY: '',
    });
    assert.equal(code, 1);
    assert.match(stderr, /no model servers configured/);
    assert.doesNotMatch(stderr, /sk-set/);
  });

  it('rejects bad fleet flags with exit 2', async () => {
    const { code, stderr } = await runCli(['run', '--sim-replicas', '0'], NO_PROVIDER_KEYS);
    assert.equal(code, 2);
    assert.match(stderr, /--sim-replicas must be an integer >= 1/);
  });
});
