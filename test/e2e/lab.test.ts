/**
 * End to end: `npm run lab` (the runner, on free ports) starts the real simulators,
 * gateway, Envoy, Collector, Phoenix and Prometheus. Requests go through the real Envoy
 * (a stream arrives chunk by chunk), Envoy's span is the root of the gateway's trace in
 * Phoenix, the traffic generator runs its mix through Envoy, and every Grafana panel's
 * query returns data from the real Prometheus afterwards. A second runner with `-e` and
 * `-c` uses the given endpoints file and Envoy config; a third one, killed while
 * starting, is still stopped by `npm run lab:stop`; a config Envoy rejects stops the
 * runner before anything starts. Every process is stopped even when a test fails.
 *
 * Needs `scripts/lab/install.sh` (run by `npm run test:e2e`).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isOurs, type LabState, readState, type RecordedProcess } from '../../lab/processes.js';
import type { Dashboard } from '../lab-files.test.js';
import { tempDir } from '../helpers/files.js';
import { runCli } from '../helpers/gateway-process.js';
import { startSim } from '../helpers/sim-process.js';
import { eventually, LAB, type PhoenixSpan, prometheusQuery, REPO } from './lab.js';

const RUN_LAB = join(REPO, 'dist/lab/run-lab.js');
const STOP_LAB = join(REPO, 'dist/lab/stop-lab.js');

/** Run folders of every lab started here: their processes are killed on exit whatever happened. */
const runDirs: string[] = [];
process.on('exit', () => {
  for (const dir of runDirs) {
    for (const proc of readState(dir)?.processes ?? []) {
      if (!isOurs(proc)) continue;
      try {
        process.kill(-proc.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
});

function runScript(script: string, args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, [script, ...args], {
    cwd: REPO,
    encoding: 'utf8',
    env: { ...process.env, SWITCHYARD_LAB_DIR: LAB, ...env },
    timeout: 300_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function startLab(args: readonly string[], env: NodeJS.ProcessEnv = {}): { runDir: string; state: LabState } {
  const runDir = tempDir('switchyard-e2e-lab-');
  runDirs.push(runDir);
  const result = runScript(RUN_LAB, ['--free-ports', '--run-dir', runDir, ...args], env);
  assert.equal(result.code, 0, `npm run lab failed:\n${result.stdout}\n${result.stderr}`);
  return { runDir, state: readState(runDir)! };
}

async function phoenixSpans(url: string, query: string): Promise<PhoenixSpan[]> {
  const res = await fetch(`${url}/v1/projects/switchyard/spans?limit=1000&${query}`);
  if (res.status === 404) return [];
  return ((await res.json()) as { data: PhoenixSpan[] }).data;
}

describe('e2e: npm run lab', () => {
  let runDir: string;
  let state: LabState;
  let urls: Record<string, string>;

  before(() => {
    ({ runDir, state } = startLab(['--no-traffic'], { ROUTING_ALGORITHM: 'prefix-cache' }));
    urls = state.urls!;
  });

  after(() => {
    for (const dir of runDirs) runScript(STOP_LAB, ['--run-dir', dir]);
  });

  it('runs every part with one log file each, named after the process', async () => {
    const names = state.processes.map((p) => p.name).sort();
    assert.deepEqual(names, [
      'envoy',
      'gateway',
      'otel-collector',
      'phoenix',
      'prometheus',
      'sim-32b-decode',
      'sim-32b-prefill',
      'sim-8b-1',
      'sim-8b-2',
      'sim-8b-3',
    ]);
    assert.deepEqual(
      readdirSync(join(runDir, 'logs')).sort(),
      names.map((n) => `${n}.log`),
    );
    await eventually(
      async () =>
        /"routingAlgorithm":"prefix-cache"/.test(readFileSync(join(runDir, 'logs/gateway.log'), 'utf8')) ||
        undefined,
      5_000,
      'ROUTING_ALGORITHM in the gateway log',
    );
  });

  it('serves a chat through the real Envoy, which logs the model and the engine', async () => {
    const res = await fetch(`${urls['envoy']}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-request-id': 'lab-e2e-chat',
        'x-tenant-id': 'tenant-z',
      },
      body: JSON.stringify({
        model: 'Qwen/Qwen3-8B',
        max_tokens: 8,
        messages: [{ role: 'user', content: 'Hello lab' }],
      }),
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('server'), 'envoy');
    assert.equal(res.headers.get('x-switchyard-model'), 'Qwen/Qwen3-8B');
    const pod = res.headers.get('target-pod')!;
    const sims = ['sim-8b-1', 'sim-8b-2', 'sim-8b-3'].map((s) => `127.0.0.1:${state.ports![s]}`);
    assert.ok(sims.includes(pod), `${pod} is one of the 8B replicas`);
    const body = (await res.json()) as { usage: { completion_tokens: number } };
    assert.equal(body.usage.completion_tokens, 8);

    const line = await eventually(
      async () =>
        readFileSync(join(runDir, 'logs/envoy.log'), 'utf8')
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as Record<string, unknown>)
          .find((l) => l['request_id'] === 'lab-e2e-chat'),
      10_000,
      "Envoy's access log line",
    );
    assert.equal(line['model'], 'Qwen/Qwen3-8B');
    assert.equal(line['target_pod'], pod);
    assert.equal(line['tenant_id'], 'tenant-z');
    assert.equal(line['status'], 200);
    assert.match(String(line['trace_id']), /^[0-9a-f]{32}$/);
  });

  it('streams through Envoy: the first chunk arrives before the stream ends', async () => {
    const url = new URL(`${urls['envoy']}/v1/chat/completions`);
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request(
        url,
        { method: 'POST', headers: { 'x-request-id': 'lab-e2e-stream' } },
        resolve,
      );
      req.on('error', reject);
      req.end(
        JSON.stringify({
          model: 'Qwen/Qwen3-8B',
          max_tokens: 40, // 40 tokens at the engine's 15 ms each
          stream: true,
          stream_options: { include_usage: true },
          messages: [{ role: 'user', content: 'Stream to me' }],
        }),
      );
    });
    assert.equal(res.statusCode, 200);
    const chunks = res[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    // Read until the first token's text has arrived...
    let text = '';
    while (!/"delta":\{"content":"[^"]/.test(text)) {
      const next = await chunks.next();
      assert.equal(next.done, false, 'the stream ended before any content');
      text += next.value.toString();
    }
    // ...at which point the stream has not ended: Envoy did not hold the answer back.
    assert.equal(
      text.includes('data: [DONE]'),
      false,
      'the first content arrived while the stream was still open',
    );
    let reads = 1;
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
      text += next.value.toString();
      reads++;
    }
    assert.ok(text.endsWith('data: [DONE]\n\n'), 'the stream finished whole');
    assert.ok(reads > 2, `the stream arrived in pieces (${reads} reads)`);
  });

  it("finds Envoy's span as the root of the gateway's trace in Phoenix, over an LLM span with messages and tokens", async () => {
    const llm = await eventually(
      async () =>
        (await phoenixSpans(urls['phoenix']!, 'name=ChatCompletion')).find(
          (s) => s.attributes['switchyard.request_id'] === 'lab-e2e-chat',
        ),
      60_000,
      'the gateway span in Phoenix',
    );
    const trace = await eventually(
      async () => {
        const spans = await phoenixSpans(urls['phoenix']!, `trace_id=${llm.context.trace_id}`);
        return spans.some((s) => s.parent_id === null) ? spans : undefined;
      },
      30_000,
      "Envoy's span in the same trace",
    );
    const root = trace.find((s) => s.parent_id === null)!;
    assert.equal(root.name, 'switchyard-edge', "Envoy's span (the route decorator's operation)");
    assert.equal(llm.parent_id, root.context.span_id, "the gateway's span is the child of Envoy's");
    assert.equal(llm.span_kind, 'LLM');
    assert.equal(flat(llm)['llm.input_messages.0.message.content'], 'Hello lab');
    assert.equal(flat(llm)['llm.token_count.completion'], 8);
    assert.equal(flat(llm)['tenant.id'], 'tenant-z');
    assert.equal(flat(llm)['switchyard.routing.algorithm'], 'prefix-cache');
  });

  it('shows a fallback: pd asked for a model without prefill/decode engines', async () => {
    const res = await fetch(`${urls['envoy']}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'routing-strategy': 'pd' },
      body: JSON.stringify({
        model: 'Qwen/Qwen3-8B',
        max_tokens: 2,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('routing-strategy'), 'pd->least-request');
    await res.text();
    // The gateway writes its log in batches: the line arrives within a moment.
    await eventually(
      async () =>
        /"reason":"no_roleset".*"msg":"routing fell back"/.test(
          readFileSync(join(runDir, 'logs/gateway.log'), 'utf8'),
        ) || undefined,
      5_000,
      'the fallback in the gateway log',
    );
  });

  it('runs the traffic generator through Envoy: its mix, errors included', async () => {
    const result = await runCli(
      [
        'traffic',
        '--target',
        urls['envoy']!,
        '--count',
        '80',
        '--rate',
        '20',
        '--seed',
        '7',
        '--error-share',
        '0.1',
        '--think-scale',
        '0.1',
        '--report-every',
        '60s',
      ],
      {},
      240_000,
    );
    assert.equal(result.code, 0, result.stderr);
    const done = result.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map(
        (l) =>
          JSON.parse(l) as {
            msg: string;
            sent: number;
            statuses: Record<string, number>;
            byKind: Record<string, number>;
          },
      )
      .find((l) => l.msg === 'traffic done')!;
    assert.equal(done.sent, 80);
    assert.ok((done.statuses['200'] ?? 0) > 50, JSON.stringify(done.statuses));
    assert.ok(done.statuses['404'], 'unknown-model errors');
    assert.ok(done.statuses['400'], 'invalid bodies');
    for (const kind of ['shared-prefix', 'conversation', 'pd-chat', 'embeddings', 'completion']) {
      assert.ok(done.byKind[kind], `the mix sent ${kind}`);
    }
  });

  it('every Grafana panel query returns data from the real Prometheus', async () => {
    const queries: { where: string; expr: string }[] = [];
    for (const file of readdirSync(join(REPO, 'grafana/dashboards'))) {
      const dashboard = JSON.parse(readFileSync(join(REPO, 'grafana/dashboards', file), 'utf8')) as Dashboard;
      for (const panel of dashboard.panels) {
        for (const target of panel.targets ?? []) {
          queries.push({
            where: `${dashboard.title} / ${panel.title} / ${target.legendFormat ?? target.refId}`,
            // Grafana's rate interval; 1m covers several 5 s scrapes of the traffic above.
            expr: target.expr.replaceAll('$__rate_interval', '1m'),
          });
        }
      }
    }
    let empty: string[] = [];
    const deadline = Date.now() + 60_000;
    for (;;) {
      empty = [];
      for (const q of queries) {
        const result = await prometheusQuery(urls['prometheus']!, q.expr);
        if (result.length === 0) empty.push(`${q.where}: ${q.expr}`);
      }
      if (empty.length === 0 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 2000));
    }
    if (empty.length) console.log(`panels without data:\n  ${empty.join('\n  ')}`);
    assert.deepEqual(empty, [], 'every panel query returns data');
  });

  it('lab:stop stops exactly the processes it recorded, and says so', () => {
    const stopped = runScript(STOP_LAB, ['--run-dir', runDir]);
    assert.equal(stopped.code, 0, stopped.stderr);
    for (const proc of state.processes) {
      assert.match(stopped.stdout, new RegExp(`${proc.name} +pid ${proc.pid}: stopped\\n`));
      assert.equal(isOurs(proc), false, `${proc.name} (pid ${proc.pid}) is gone`);
    }
    assert.match(stopped.stdout, /Stopped 10 of the 10 processes the lab started/);
  });
});

describe('e2e: npm run lab with -e and -c, a crash of the runner, a rejected config', () => {
  it('routes to the endpoints file of -e (no simulators) through the Envoy config of -c', async () => {
    const sim = await startSim(['--model', 'my-model']);
    const dir = tempDir('switchyard-e2e-custom-');
    const endpoints = join(dir, 'my-endpoints.yaml');
    writeFileSync(endpoints, `models:\n  - name: my-model\n    endpoints: ['${sim.address}']\n`);
    const envoyConfig = join(dir, 'my-envoy.yaml');
    writeFileSync(
      envoyConfig,
      readFileSync(join(REPO, 'envoy/envoy.yaml'), 'utf8').replace(
        'operation: switchyard-edge',
        'operation: my-edge',
      ),
    );
    let runDir = '';
    try {
      const lab = startLab(['--no-traffic', '-e', endpoints, '--envoy-config', envoyConfig]);
      runDir = lab.runDir;
      assert.equal(
        lab.state.processes.filter((p) => p.name.startsWith('sim-')).length,
        0,
        'no simulator started',
      );
      const res = await fetch(`${lab.state.urls!['envoy']}/v1/chat/completions`, {
        method: 'POST',
        body: JSON.stringify({
          model: 'my-model',
          max_tokens: 2,
          messages: [{ role: 'user', content: 'hi' }],
        }),
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('target-pod'), sim.address);
      assert.equal(
        res.headers.get('x-envoy-decorator-operation'),
        'my-edge',
        'the -c config is the one running',
      );
      const prom = readFileSync(join(runDir, 'config/prometheus.yml'), 'utf8');
      assert.ok(prom.includes(sim.address), 'Prometheus scrapes the engines of -e');
    } finally {
      if (runDir) {
        const stopped = runScript(STOP_LAB, ['--run-dir', runDir]);
        assert.match(stopped.stdout, /Stopped 5 of the 5 processes the lab started/);
      }
      await sim.stop();
    }
  });

  it('lab:stop stops what a runner killed while starting had started, and only that', async () => {
    const runDir = tempDir('switchyard-e2e-crash-');
    runDirs.push(runDir);
    const runner: ChildProcess = spawn(
      process.execPath,
      [RUN_LAB, '--free-ports', '--no-traffic', '--run-dir', runDir],
      {
        cwd: REPO,
        env: { ...process.env, SWITCHYARD_LAB_DIR: LAB },
        stdio: 'ignore',
      },
    );
    // Phoenix takes seconds to be ready: the runner is still waiting for it when Envoy, the
    // last one it starts before, runs. Killed then, it is between starts, not inside one.
    const recorded = await eventually(
      async () => {
        const procs = readState(runDir)?.processes ?? [];
        return procs.some((p) => p.name === 'envoy') ? procs : undefined;
      },
      60_000,
      'the first processes recorded',
    );
    runner.kill('SIGKILL');
    await new Promise((r) => runner.once('exit', r));
    const survivors = (readState(runDir)?.processes ?? []).filter(isOurs);
    assert.ok(survivors.length >= recorded.length, 'the parts outlive the killed runner');

    const stopped = runScript(STOP_LAB, ['--run-dir', runDir]);
    assert.equal(stopped.code, 0);
    for (const proc of survivors) {
      assert.match(stopped.stdout, new RegExp(`${proc.name} +pid ${proc.pid}: stopped`));
      assert.equal(isOurs(proc as RecordedProcess), false, `${proc.name} is gone`);
    }
    assert.equal(existsSync(join(runDir, 'lab.json')), false);
    assert.match(runScript(STOP_LAB, ['--run-dir', runDir]).stdout, /^Nothing to stop/);
  });

  it('reports a config Envoy rejects, naming it, and starts nothing', () => {
    const bad = join(tempDir(), 'bad-envoy.yaml');
    writeFileSync(
      bad,
      readFileSync(join(REPO, 'envoy/envoy.yaml'), 'utf8').replace(
        'stat_prefix: switchyard',
        'stat_prefixx: switchyard',
      ),
    );
    const runDir = tempDir();
    const result = runScript(RUN_LAB, ['--free-ports', '-c', bad, '--run-dir', runDir]);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      new RegExp(`^npm run lab: Envoy rejects the config ${bad} \\(as rewritten in .*\\):\\n`),
    );
    assert.match(result.stderr, /stat_prefixx/);
    assert.match(result.stderr, /Nothing was started\.\n$/);
    assert.equal(readState(runDir)?.processes.length ?? 0, 0);
  });
});

/** Phoenix may return attributes nested or flat; this reads either. */
function flat(span: PhoenixSpan): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const walk = (value: unknown, prefix: string) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, prefix ? `${prefix}.${k}` : k);
    } else out[prefix] = value;
  };
  walk(span.attributes, '');
  return out;
}
