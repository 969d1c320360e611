/**
 * Hostile input: a corpus of broken and malicious requests (see hostile-corpus.ts) and
 * 10,000 seeded random mutations of valid ones, sent through a real gateway (tracing on,
 * a random routing algorithm per request) to two real simulated engines, while valid
 * traffic keeps flowing.
 *
 * Promised and checked: every answer is a 2xx or a 4xx (never a 5xx, never a dropped
 * connection for a well-framed request), every 4xx is an OpenAI-shaped JSON error; since
 * the gateway does not retry here, an engine's own 5xx would reach the client, so the
 * engines too answered only 2xx/4xx to everything the gateway forwarded; slow clients get
 * a 408; valid requests sent during the attack all succeed; no process crashed and no
 * "unexpected error" was logged. The simulator is then fuzzed on its own too, so it stays a
 * well-behaved engine for any gateway in front of it.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { knownAlgorithms } from '../../src/routing/algorithms.js';
import { writeEndpointsFile } from '../helpers/files.js';
import { type RunningGateway, startGateway } from '../helpers/gateway-process.js';
import { runLoops } from '../helpers/load-client.js';
import { OtlpReceiver } from '../helpers/otlp-receiver.js';
import { type RunningSim, startSim } from '../helpers/sim-process.js';
import { type BodyCase, fixedCases, MODEL, mutations, rawCases, seeded } from './hostile-corpus.js';

const MAX_BODY = 1024 * 1024;
const MUTATIONS = 10_000;
const SEED = 20_240_601;

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly contentType: string | undefined;
}

/** One request over a pooled keep-alive connection; status 0 when the connection failed. */
function post(
  agent: http.Agent,
  port: number,
  c: BodyCase,
  extraHeaders: Record<string, string>,
): Promise<Answer> {
  return new Promise((resolve) => {
    const req = http.request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: c.path,
      agent,
      headers: {
        'content-type': 'application/json',
        ...extraHeaders,
        ...c.headers,
        'content-length': c.body.length,
      },
    });
    const timer = setTimeout(() => req.destroy(new Error('timeout')), 30_000);
    req.on('error', () => {
      clearTimeout(timer);
      resolve({ status: 0, body: '', contentType: undefined });
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('error', () => {});
      res.on('end', () => {
        clearTimeout(timer);
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          contentType: res.headers['content-type'],
        });
      });
    });
    req.end(c.body);
  });
}

/** Writes raw bytes (optionally a piece every `gapMs`) and resolves with everything received. */
function raw(port: number, parts: readonly Buffer[], gapMs = 0): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    let timer: NodeJS.Timeout | undefined;
    const giveUp = setTimeout(() => socket.destroy(), 20_000);
    socket.setEncoding('latin1').on('data', (d: string) => (text += d));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      clearTimeout(giveUp);
      resolve(text);
    });
    let i = 0;
    const next = () => {
      if (socket.destroyed) return;
      socket.write(parts[i++]!);
      if (i < parts.length) timer = setTimeout(next, gapMs);
      else if (gapMs === 0) setTimeout(() => socket.end(), 1_000);
    };
    next();
  });
}

/** The problem with an answer, or undefined when it is acceptable. */
function problemWith(answer: Answer): string | undefined {
  if (answer.status === 0) return 'the connection failed';
  if (answer.status >= 500) return `status ${answer.status}: ${answer.body.slice(0, 300)}`;
  if (answer.status >= 400) {
    try {
      const error = (JSON.parse(answer.body) as { error?: { message?: unknown } }).error;
      if (typeof error?.message !== 'string') return `a ${answer.status} without an OpenAI-shaped error`;
    } catch {
      return `a ${answer.status} whose body is not JSON: ${answer.body.slice(0, 100)}`;
    }
  }
  return undefined;
}

describe('hostile input', () => {
  const sims: RunningSim[] = [];
  let receiver: OtlpReceiver;
  let gateway: RunningGateway;
  let agent: http.Agent;
  const statuses = new Map<number, number>();
  const problems: string[] = [];
  const algorithms = [...knownAlgorithms(), 'least-request:2,prefix-cache:1'];

  before(async () => {
    for (let i = 0; i < 2; i++) sims.push(await startSim(['--time-scale', '0.001', '--model', MODEL]));
    receiver = await OtlpReceiver.start();
    gateway = await startGateway(
      [
        '--endpoints-config',
        writeEndpointsFile({ [MODEL]: sims.map((s) => s.address) }),
        '--max-body-size',
        String(MAX_BODY),
        '--max-header-size',
        '16Ki',
        '--request-read-timeout',
        '2s',
        '--max-retries',
        '0',
      ],
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '200',
      },
    );
    agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  });

  after(async () => {
    agent?.destroy();
    await gateway?.stop();
    for (const s of sims) await s.stop();
    await receiver?.close();
  });

  /** Sends every case with `concurrency` connections, a random routing algorithm each. */
  async function attack(cases: Iterable<BodyCase>, concurrency: number): Promise<number> {
    const iterator = cases[Symbol.iterator]();
    const random = seeded(SEED + 1);
    let sent = 0;
    let exhausted = false;
    await runLoops(
      concurrency,
      Number.MAX_SAFE_INTEGER,
      () => exhausted,
      async () => {
        const next = iterator.next();
        if (next.done) {
          exhausted = true;
          return;
        }
        const algorithm = algorithms[Math.floor(random() * algorithms.length)]!;
        const answer = await post(agent, gateway.port, next.value, {
          'routing-strategy': algorithm,
          'x-session-id': String(sent % 7),
        });
        sent++;
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        const problem = problemWith(answer);
        if (problem) problems.push(`${next.value.name} (${algorithm}): ${problem}`);
      },
    );
    return sent;
  }

  it('answers the corpus, 10,000 mutations, injected headers and slow clients with 4xx, while serving valid traffic', async () => {
    let attacking = true;
    const valid = { sent: 0, failed: [] as string[] };
    const validAgent = new http.Agent({ keepAlive: true, maxSockets: 2 });
    const validTraffic = runLoops(
      2,
      100_000,
      () => !attacking,
      async (loop, i) => {
        const answer = await post(
          validAgent,
          gateway.port,
          {
            name: 'valid',
            path: '/v1/chat/completions',
            body: Buffer.from(
              JSON.stringify({
                model: MODEL,
                max_tokens: 4,
                stream: i % 2 === 0,
                messages: [{ role: 'user', content: `valid ${loop} ${i}` }],
              }),
            ),
          },
          {},
        );
        valid.sent++;
        const complete = answer.contentType?.startsWith('text/event-stream')
          ? answer.body.endsWith('data: [DONE]\n\n')
          : true;
        if (answer.status !== 200 || !complete)
          valid.failed.push(`${answer.status} ${answer.body.slice(0, 200)}`);
        await new Promise((r) => setTimeout(r, 5));
      },
    );

    const startedAt = Date.now();
    try {
      const fixed = fixedCases(MAX_BODY);
      const fixedSent = await attack(fixed, 8);
      const mutated = await attack(mutations(SEED, MUTATIONS), 16);
      assert.equal(fixedSent, fixed.length);
      assert.equal(mutated, MUTATIONS);

      // Raw HTTP: broken framing and injected headers. Any status line must be a 2xx or 4xx.
      for (const { name, text } of rawCases()) {
        const answer = await raw(gateway.port, [text]);
        const lines = [...answer.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
        for (const status of lines) if (status >= 500) problems.push(`raw ${name}: status ${status}`);
      }

      // Slow clients, 50 at once: each gets a 408 when its read timeout passes.
      const body = Buffer.from(
        JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'slow' }] }),
      );
      const head = Buffer.from(
        `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-length: ${body.length}\r\n\r\n`,
      );
      const slow = await Promise.all([
        ...Array.from({ length: 25 }, () =>
          raw(gateway.port, [head, ...[...body].map((b) => Buffer.from([b]))], 250),
        ),
        ...Array.from({ length: 25 }, () =>
          raw(
            gateway.port,
            [...head].map((b) => Buffer.from([b])),
            250,
          ),
        ),
      ]);
      for (const answer of slow) assert.match(answer, /^HTTP\/1\.1 408 /, answer.slice(0, 100));
    } finally {
      attacking = false;
      await validTraffic;
      validAgent.destroy();
    }
    const seconds = (Date.now() - startedAt) / 1000;

    assert.deepEqual(problems.slice(0, 20), [], `${problems.length} bad answers`);
    assert.ok(valid.sent > 0);
    assert.deepEqual(valid.failed, [], 'valid traffic kept being served');
    assert.equal(gateway.process.child.exitCode, null, 'the gateway is alive');
    for (const s of sims) assert.equal(s.process.child.exitCode, null, 'the engines are alive');
    const health = await fetch(`${gateway.adminUrl}/health`);
    assert.equal(health.status, 200);
    const unexpected = (await gateway.process.settledLogs()).filter(
      (l) => l.level === 'error' || /unexpected/.test(l.msg),
    );
    assert.deepEqual(unexpected, [], 'nothing unexpected was logged');
    for (const s of sims) {
      const failed = s.process.logs().filter((l) => l.level === 'error');
      assert.deepEqual(failed, [], 'the engines logged no failure');
    }
    const byStatus = [...statuses.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}: ${n}`);
    console.log(
      `hostile input: ${[...statuses.values()].reduce((a, b) => a + b, 0)} requests in ${seconds.toFixed(1)} s ` +
        `(${byStatus.join(', ')}), no 5xx; ${valid.sent} valid requests served alongside, 0 failed`,
    );
  });

  it('the simulator on its own also answers the whole corpus and 10,000 other mutations with 2xx/4xx', async () => {
    const sim = sims[0]!;
    const direct = new http.Agent({ keepAlive: true, maxSockets: 16 });
    const bad: string[] = [];
    const counts = new Map<number, number>();
    const cases = [...fixedCases(MAX_BODY), ...mutations(SEED + 2, MUTATIONS)];
    try {
      for (let i = 0; i < cases.length; i += 16) {
        const answers = await Promise.all(cases.slice(i, i + 16).map((c) => post(direct, sim.port, c, {})));
        answers.forEach((answer, j) => {
          counts.set(answer.status, (counts.get(answer.status) ?? 0) + 1);
          const problem = problemWith(answer);
          if (problem) bad.push(`${cases[i + j]!.name}: ${problem}`);
        });
      }
    } finally {
      direct.destroy();
    }
    assert.deepEqual(bad.slice(0, 20), [], `${bad.length} bad answers from the simulator`);
    assert.equal(sim.process.child.exitCode, null);
    const byStatus = [...counts.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}: ${n}`);
    console.log(`hostile input, simulator alone: ${cases.length} requests (${byStatus.join(', ')}), no 5xx`);
  });
});
