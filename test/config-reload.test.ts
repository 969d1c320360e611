/**
 * Config reload on a real gateway process: SIGHUP (and --watch-config) swap the endpoints
 * file and the API keys file in; a stream in flight on an endpoint that was removed still
 * completes; a bad new file is rejected with its reason in the log and the running config
 * keeps serving, all of it or none of it.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { deferred, FakeUpstream, reply } from './helpers/fake-upstream.js';
import { writeTempFile } from './helpers/files.js';
import { type LogLine, type RunningGateway, startGateway } from './helpers/gateway-process.js';
import { rawRequest } from './helpers/http.js';
import { waitUntil } from './helpers/sim-process.js';

const OLD_KEY = 'sk-reload-old-key-1111';
const NEW_KEY = 'sk-reload-new-key-2222';

function endpointsYaml(models: Record<string, string[]>, extra = ''): string {
  const lines = ['models:'];
  for (const [name, addresses] of Object.entries(models)) {
    lines.push(`  - name: ${name}`, `    endpoints: [${addresses.map((a) => JSON.stringify(a)).join(', ')}]`);
    if (extra) lines.push(extra);
  }
  return `${lines.join('\n')}\n`;
}

describe('config reload', () => {
  let a: FakeUpstream;
  let b: FakeUpstream;
  let gateway: RunningGateway;
  let endpointsFile: string;
  let keysFile: string;
  const release = deferred();

  before(async () => {
    const handler = async (req: Parameters<FakeUpstream['handler']>[0], res: http.ServerResponse) => {
      if (req.json?.['stream'] === true)
        await reply.chatStream(res, ['one ', 'two ', 'three'], release.promise);
      else reply.json(res, 200, reply.chatCompletion('ok', req));
    };
    a = await FakeUpstream.start(handler);
    b = await FakeUpstream.start(handler);
    endpointsFile = writeTempFile('endpoints.yaml', endpointsYaml({ m: [a.address] }));
    keysFile = writeTempFile('keys.txt', `${OLD_KEY}\n`);
    gateway = await startGateway([
      '--endpoints-config',
      endpointsFile,
      '--api-keys-file',
      keysFile,
      '--engine-metrics-interval',
      '0',
    ]);
  });

  after(async () => {
    release.resolve();
    await gateway?.stop();
    await a?.close();
    await b?.close();
  });

  const chat = (model: string, key: string) =>
    rawRequest(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    });

  /** Sends SIGHUP and resolves with the next reload outcome logged after it. */
  async function hangUp(): Promise<LogLine> {
    const outcomes = () => gateway.process.logs().filter(isReloadOutcome);
    const seen = outcomes().length;
    gateway.process.child.kill('SIGHUP');
    await waitUntil(async () => outcomes().length > seen, 'the reload is logged');
    return outcomes()[seen]!;
  }

  it('SIGHUP swaps routes and keys in; a stream in flight on a removed endpoint completes', async () => {
    assert.equal((await chat('m', OLD_KEY)).headers['target-pod'], a.address);
    const stream = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        agent: false,
        headers: { authorization: `Bearer ${OLD_KEY}` },
      });
      req.on('response', resolve).on('error', reject);
      req.end(JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] }));
    });
    let received = '';
    stream.setEncoding('utf8').on('data', (d: string) => (received += d));
    const ended = new Promise((resolve) => stream.on('end', resolve));

    writeFileSync(endpointsFile, endpointsYaml({ m: [b.address], n: [b.address] }));
    writeFileSync(keysFile, `${NEW_KEY}\n`);
    const outcome = await hangUp();
    assert.equal(outcome.msg, 'config reloaded');
    assert.deepEqual(outcome['models'], ['m', 'n']);
    assert.equal(outcome['apiKeys'], 1);

    release.resolve();
    await ended;
    assert.match(received, /"one ".*"two ".*"three".*data: \[DONE\]/s, 'the old stream finished whole');
    assert.equal(stream.headers['target-pod'], a.address);

    const moved = await chat('m', NEW_KEY);
    assert.equal(moved.status, 200);
    assert.equal(moved.headers['target-pod'], b.address);
    assert.equal((await chat('n', NEW_KEY)).status, 200, 'a model added by the reload is served');
    assert.equal((await chat('m', OLD_KEY)).status, 401, 'the rotated-out key no longer works');
  });

  it('a bad file is rejected with its reason; the running config keeps serving', async () => {
    const bad: [string, string, RegExp][] = [
      [
        'endpoints',
        'models:\n  - name: m\n    endpoints: ["127.0.0.1:notaport"]\n',
        /endpoints\.yaml:3: .*not a number/,
      ],
      ['endpoints', 'models: [\n', /endpoints\.yaml:\d+: invalid YAML/],
      ['endpoints', endpointsYaml({ m: [a.address] }, '    routingAlgorithm: fastest'), /route m: .*fastest/],
      ['keys', '# all keys removed\n', /keys\.txt: the API keys file lists no key/],
    ];
    const goodEndpoints = endpointsYaml({ m: [b.address], n: [b.address] });
    for (const [which, text, reason] of bad) {
      writeFileSync(endpointsFile, which === 'endpoints' ? text : endpointsYaml({ m: [a.address] }));
      writeFileSync(keysFile, which === 'keys' ? text : `${NEW_KEY}\n`);
      const outcome = await hangUp();
      assert.equal(outcome.msg, 'config reload rejected; the running config keeps serving', text);
      assert.equal(outcome.level, 'error');
      assert.match(String(outcome['reason']), reason);
      // All or nothing: the good half of a rejected reload is not applied either.
      const res = await chat('m', NEW_KEY);
      assert.equal(res.status, 200);
      assert.equal(res.headers['target-pod'], b.address);
    }
    writeFileSync(endpointsFile, goodEndpoints);
    writeFileSync(keysFile, `${NEW_KEY}\n`);
    assert.equal((await hangUp()).msg, 'config reloaded');
  });
});

describe('config reload with --watch-config', () => {
  it('reloads when the endpoints file changes, and ignores a broken intermediate write', async () => {
    const a = await FakeUpstream.start();
    const b = await FakeUpstream.start();
    const file = writeTempFile('endpoints.yaml', endpointsYaml({ m: [a.address] }));
    const gateway = await startGateway([
      '--endpoints-config',
      file,
      '--watch-config',
      '--engine-metrics-interval',
      '0',
    ]);
    try {
      writeFileSync(file, 'models:\n  - name: m\n    endpoints: [');
      await gateway.process.waitForLog((l) => l.msg.startsWith('config reload rejected'));
      assert.equal((await post(gateway.url)).headers['target-pod'], a.address);
      writeFileSync(file, endpointsYaml({ m: [b.address] }));
      const reloaded = await gateway.process.waitForLog((l) => l.msg === 'config reloaded');
      assert.match(String(reloaded['trigger']), /^change of .*endpoints\.yaml$/);
      assert.equal((await post(gateway.url)).headers['target-pod'], b.address);
    } finally {
      await gateway.stop();
      await a.close();
      await b.close();
    }
  });
});

function isReloadOutcome(line: LogLine): boolean {
  return line.msg === 'config reloaded' || line.msg.startsWith('config reload rejected');
}

function post(url: string) {
  return rawRequest(`${url}/v1/chat/completions`, {
    method: 'POST',
    body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
  });
}
