/**
 * Client API keys, end to end: keys from a file and from SWITCHYARD_API_KEYS; a missing or
 * wrong key is a 401 on every API path before anything reaches an upstream; the accepted
 * key is never forwarded upstream (the backend's own credentials are, when it has some).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { FakeUpstream, reply } from './helpers/fake-upstream.js';
import { writeEndpointsFile, writeTempFile } from './helpers/files.js';
import { type RunningGateway, runCli, startGateway } from './helpers/gateway-process.js';
import { rawRequest } from './helpers/http.js';
import { scrapeMetrics } from './helpers/prometheus.js';

const FILE_KEY = 'sk-switchyard-file-key-0001';
const ENV_KEY = 'sk-switchyard-env-key-0002';

describe('client auth', () => {
  let upstream: FakeUpstream;
  let gateway: RunningGateway;
  const body = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });

  before(async () => {
    upstream = await FakeUpstream.start((req, res) => reply.json(res, 200, reply.chatCompletion('ok', req)));
    const keys = writeTempFile(
      'keys.txt',
      `# rotated weekly\n${FILE_KEY}\n\n  other-key-ignored-here-0003  \n`,
    );
    gateway = await startGateway(
      ['--endpoints-config', writeEndpointsFile({ m: [upstream.address] }), '--api-keys-file', keys],
      { SWITCHYARD_API_KEYS: ` ${ENV_KEY} ,` },
    );
  });

  after(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  // The gateway also scrapes the upstream's /metrics; only inference requests count here.
  const forwarded = () => upstream.requests.filter((r) => r.path === '/v1/chat/completions');
  const post = (headers: Record<string, string>) =>
    rawRequest(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });

  it('401 without a key, with a wrong key, or with a key in the wrong form; the upstream sees nothing', async () => {
    const cases: Record<string, string>[] = [
      {},
      { authorization: 'Bearer wrong-key' },
      { authorization: `Bearer ${FILE_KEY}x` },
      { authorization: `Bearer ${FILE_KEY.slice(0, -1)}` },
      { authorization: FILE_KEY },
      { authorization: `Basic ${Buffer.from(`user:${FILE_KEY}`).toString('base64')}` },
      { 'api-key': 'nope' },
      { 'x-api-key': FILE_KEY },
    ];
    for (const headers of cases) {
      const res = await post(headers);
      assert.equal(res.status, 401, JSON.stringify(headers));
      assert.equal(res.headers['www-authenticate'], 'Bearer');
      const error = (JSON.parse(res.body) as { error: { type: string; code: string; message: string } })
        .error;
      assert.equal(error.type, 'authentication_error');
      assert.equal(error.code, 'invalid_api_key');
      assert.ok(!res.body.includes(FILE_KEY.slice(0, 12)), 'the error never echoes a key');
    }
    assert.equal(forwarded().length, 0);
  });

  it('every API path needs the key, known or not', async () => {
    assert.equal((await rawRequest(`${gateway.url}/v1/models`)).status, 401);
    assert.equal((await rawRequest(`${gateway.url}/mcp`, { method: 'POST', body: '{}' })).status, 401);
    assert.equal((await rawRequest(`${gateway.url}/admin/secret`)).status, 401);
    const models = await rawRequest(`${gateway.url}/v1/models`, {
      headers: { authorization: `Bearer ${ENV_KEY}` },
    });
    assert.equal(models.status, 200);
    const unknown = await rawRequest(`${gateway.url}/nope`, {
      headers: { authorization: `Bearer ${ENV_KEY}` },
    });
    assert.equal(unknown.status, 404);
  });

  it('accepts the keys of the file and of the environment, as Bearer (any case) or api-key; none goes upstream', async () => {
    const accepted: Record<string, string>[] = [
      { authorization: `Bearer ${FILE_KEY}` },
      { authorization: `bearer ${ENV_KEY}` },
      { authorization: 'Bearer other-key-ignored-here-0003' },
      { 'api-key': FILE_KEY },
    ];
    for (const headers of accepted) {
      const res = await post(headers);
      assert.equal(res.status, 200, JSON.stringify(headers));
    }
    assert.equal(forwarded().length, 4);
    for (const seen of forwarded()) {
      assert.equal(seen.headers['authorization'], undefined, 'the client key stays at the gateway');
      assert.equal(seen.headers['api-key'], undefined);
    }
  });

  it('works with the OpenAI SDK, and a 401 is an AuthenticationError there', async () => {
    const good = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: ENV_KEY, maxRetries: 0 });
    const answer = await good.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
    });
    assert.equal(answer.choices[0]?.message.content, 'ok');
    const bad = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'sk-wrong', maxRetries: 0 });
    await assert.rejects(bad.models.list(), (err: unknown) => err instanceof OpenAI.AuthenticationError);
  });

  it('counts refusals', async () => {
    const m = await scrapeMetrics(gateway.adminUrl);
    assert.equal(m.value('switchyard_requests_rejected_total', { reason: 'unauthorized' }), 12);
  });
});

describe('client auth configuration', () => {
  it('refuses to start with an empty, missing or malformed keys file, without printing a key', async () => {
    const endpoints = writeEndpointsFile({ m: ['127.0.0.1:9'] });
    const cases: [string, RegExp][] = [
      [writeTempFile('empty.txt', '# nothing yet\n\n'), /lists no key/],
      ['/nonexistent/keys.txt', /cannot read the API keys file \(ENOENT\)/],
      [
        writeTempFile('spaces.txt', 'good-key-1\nsecret with spaces\n'),
        /keys\.txt:2|spaces\.txt:2: a key may only contain/,
      ],
    ];
    for (const [file, message] of cases) {
      const { code, stderr } = await runCli([
        'run',
        '--endpoints-config',
        endpoints,
        '--api-keys-file',
        file,
      ]);
      assert.equal(code, 1, stderr);
      assert.match(stderr, message);
      assert.ok(!stderr.includes('secret with spaces'), 'the bad key is not printed');
    }
    const empty = await runCli(['run', '--endpoints-config', endpoints], { SWITCHYARD_API_KEYS: ' , ' });
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /SWITCHYARD_API_KEYS: lists no key/);
  });
});
