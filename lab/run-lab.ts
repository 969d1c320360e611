/**
 * `npm run lab`: the lab of docker-compose-otel.yaml as local processes, the way AIBrix's
 * local mode runs Envoy and its gateway without containers. Checks every port before
 * starting anything, starts each part detached with its own log file, records the process
 * ids as it goes, prints where everything is, and returns; `npm run lab:stop` stops it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { delimiter, join, resolve } from 'node:path';
import { ConfigError } from '../src/config/config-error.js';
import {
  type Component,
  collectorComponent,
  envoyComponent,
  gatewayComponent,
  grafanaComponent,
  type LabContext,
  phoenixComponent,
  prometheusComponent,
  simComponent,
  trafficComponent,
} from './components.js';
import { LabUsageError, labHelp, parseLabOptions } from './options.js';
import { CLI, defaultRunDir, labInstallDir, REPO } from './paths.js';
import {
  isOurs,
  type LabState,
  type RecordedProcess,
  readState,
  startDetached,
  stopProcess,
  writeState,
} from './processes.js';
import { rewriteEnvoyConfig, rewritePrometheusConfig, rewriteText } from './rewrite.js';
import {
  addressMap,
  assignPorts,
  ENVOY_CONFIG,
  FLEET_ENDPOINTS,
  listeningPorts,
  PlanError,
  PROMETHEUS_CONFIG,
  planTopology,
} from './topology.js';

const NAME = 'npm run lab';
const INSTALLED = ['envoy', 'phoenix', 'prometheus', 'otelcol-switchyard'] as const;

/** A failure the runner explains in one or a few lines; exit status 1. */
class LabError extends Error {}

async function main(argv: readonly string[]): Promise<number> {
  const options = parseLabOptions(argv);
  if (options.help) {
    process.stdout.write(labHelp());
    return 0;
  }
  const runDir = resolve(options.runDir ?? defaultRunDir());
  const previous = readState(runDir);
  const running = previous?.processes.filter(isOurs) ?? [];
  if (running.length) {
    throw new LabError(
      `the lab is already running from ${runDir} (${running.map((p) => `${p.name} ${p.pid}`).join(', ')}); stop it with npm run lab:stop${options.runDir ? ` -- --run-dir ${options.runDir}` : ''}`,
    );
  }

  const topology = planTopology(
    REPO,
    {
      ...(options.endpointsFile ? { endpointsFile: resolve(options.endpointsFile) } : {}),
      ...(options.envoyConfig ? { envoyConfig: resolve(options.envoyConfig) } : {}),
    },
    process.env,
  );
  const ports = await assignPorts(
    topology,
    options.ports,
    options.simBasePort,
    options.freePorts ? freePort : undefined,
  );
  const grafana = findGrafana();
  await checkPorts(listeningPorts(topology, ports, grafana !== undefined));

  const labDir = labInstallDir();
  ensureInstalled(labDir);
  const dirs = { logs: join(runDir, 'logs'), config: join(runDir, 'config'), data: join(runDir, 'data') };
  // Logs and generated configs are this run's; the data (Phoenix's database, Prometheus's
  // TSDB) is kept, so a restart with another algorithm shows before and after.
  for (const dir of [dirs.logs, dirs.config]) rmSync(dir, { recursive: true, force: true });
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });

  const addresses = addressMap(topology, ports);
  const generated = writeLocalConfigs(topology, addresses, ports, dirs.config);
  validateEnvoyConfig(
    join(labDir, 'bin', 'envoy'),
    generated.get(join(REPO, ENVOY_CONFIG))!,
    topology.envoyConfig,
  );

  const ctx: LabContext = {
    topology,
    ports,
    addresses,
    bin: (name) => join(labDir, 'bin', name),
    node: process.execPath,
    cli: CLI,
    dataDir: dirs.data,
    generated,
  };
  const state: LabState = { repo: REPO, startedAt: new Date().toISOString(), processes: [] };
  writeState(runDir, state);
  const started: RecordedProcess[] = state.processes;
  const onSignal = () => void abort(started, runDir, 'interrupted').then(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const start = (component: Component) => {
    const proc = startDetached({
      name: component.name,
      command: component.command,
      args: component.args,
      env: component.env,
      cwd: REPO,
      log: join(dirs.logs, `${component.name}.log`),
    });
    started.push(proc);
    writeState(runDir, state);
    return { component, proc };
  };
  try {
    // The slow ones first, waited for last; the request path in dependency order.
    const slow = [
      start(phoenixComponent(ctx)),
      start(collectorComponent(ctx)),
      start(prometheusComponent(ctx)),
    ];
    await Promise.all(topology.sims.map((sim) => ready(start(simComponent(ctx, sim)))));
    await ready(start(gatewayComponent(ctx)));
    await ready(start(envoyComponent(ctx)));
    await Promise.all(slow.map(ready));
    if (grafana) await ready(start(grafanaComponent(ctx, grafana)));
    if (options.traffic) await ready(start(trafficComponent(ctx)));
  } catch (err) {
    await abort(started, runDir, 'a part failed to start');
    throw err;
  }
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);

  const urls = {
    envoy: `http://127.0.0.1:${ports.envoy}`,
    envoyAdmin: `http://127.0.0.1:${ports.envoyAdmin}`,
    gateway: `http://127.0.0.1:${ports.gateway}`,
    gatewayAdmin: `http://127.0.0.1:${ports.gatewayAdmin}`,
    phoenix: `http://127.0.0.1:${ports.phoenix}`,
    prometheus: `http://127.0.0.1:${ports.prometheus}`,
    collectorHttp: `http://127.0.0.1:${ports.collectorHttp}`,
    ...(grafana ? { grafana: `http://127.0.0.1:${ports.grafana}` } : {}),
  };
  state.urls = urls;
  state.ports = { ...ports, ...Object.fromEntries(topology.sims.map((s) => [s.service.name, s.port])) };
  writeState(runDir, state);
  process.stdout.write(summary(ctx, urls, dirs.logs, options.traffic, grafana !== undefined, options.runDir));
  return 0;
}

/** Refuses to start when any port is taken or given twice, naming the port, who needs it and the option. */
async function checkPorts(wanted: { port: number; component: string; option: string }[]): Promise<void> {
  const problems: string[] = [];
  const seen = new Map<number, string>();
  for (const w of wanted) {
    const other = seen.get(w.port);
    if (other)
      problems.push(
        `port ${w.port} is given to both ${other} and ${w.component}; change one with ${w.option} N`,
      );
    seen.set(w.port, w.component);
  }
  for (const w of wanted) {
    if (!(await portFree(w.port))) {
      problems.push(
        `port ${w.port} (${w.component}) is already in use; choose another with ${w.option} N, or --free-ports`,
      );
    }
  }
  if (problems.length) throw new LabError(`${problems.join(`\n${NAME}: `)}\nNothing was started.`);
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolvePort) => {
    const server = net.createServer();
    server.once('error', () => resolvePort(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolvePort(true)));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolvePort(port));
    });
  });
}

/** Runs the idempotent installer for whichever part is missing. */
function ensureInstalled(labDir: string): void {
  const missing = INSTALLED.filter((name) => !existsSync(join(labDir, 'bin', name)));
  if (!missing.length) return;
  const only = missing.map((m) => (m === 'otelcol-switchyard' ? 'otelcol' : m)).join(',');
  process.stdout.write(`Installing the lab's missing parts (${only}) into ${labDir} ...\n`);
  const result = spawnSync('bash', [join(REPO, 'scripts/lab/install.sh'), '--only', only], {
    stdio: 'inherit',
    env: { ...process.env, SWITCHYARD_LAB_DIR: labDir },
  });
  if (result.status !== 0)
    throw new LabError(`scripts/lab/install.sh --only ${only} failed; nothing was started`);
}

/**
 * Local copies of the endpoints file, Envoy config and Prometheus config, by the
 * repository file compose mounts (so a container path resolves to the local copy). `-e`
 * and `-c` files take the place of the repository's.
 */
function writeLocalConfigs(
  topology: ReturnType<typeof planTopology>,
  addresses: Map<string, string>,
  ports: Record<string, number>,
  dir: string,
): Map<string, string> {
  const out = new Map<string, string>();
  const write = (replaces: string, name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    out.set(replaces, file);
  };
  const fleet = join(REPO, FLEET_ENDPOINTS);
  // A custom endpoints file is used as it is; the fleet's gets loopback addresses.
  if (topology.customEndpoints) out.set(fleet, topology.endpointsFile);
  else write(fleet, 'endpoints.yaml', rewriteText(readFileSync(fleet, 'utf8'), addresses));
  write(
    join(REPO, ENVOY_CONFIG),
    'envoy.yaml',
    `# Generated by npm run lab from ${topology.envoyConfig}\n${rewriteEnvoyConfig(
      readFileSync(topology.envoyConfig, 'utf8'),
      {
        addresses,
        listenerPorts: new Map([[10080, ports['envoy']!]]),
        adminPort: ports['envoyAdmin']!,
      },
    )}`,
  );
  const prometheus = join(REPO, PROMETHEUS_CONFIG);
  write(
    prometheus,
    'prometheus.yml',
    `# Generated by npm run lab from ${PROMETHEUS_CONFIG}\n${rewritePrometheusConfig(readFileSync(prometheus, 'utf8'), addresses, topology.engines)}`,
  );
  return out;
}

/** `envoy --mode validate` before anything starts, so a bad config is reported at once. */
function validateEnvoyConfig(envoy: string, file: string, source: string): void {
  const result = spawnSync(envoy, ['--mode', 'validate', '-c', file, '--log-level', 'error'], {
    encoding: 'utf8',
  });
  if (result.status === 0) return;
  const lines = `${result.stdout}${result.stderr}`.trim().split('\n').slice(-5).join('\n  ');
  throw new LabError(
    `Envoy rejects the config ${source} (as rewritten in ${file}):\n  ${lines}\nNothing was started.`,
  );
}

/** Resolves when the component answers its readiness URL; rejects if it exits or times out. */
async function ready({ component, proc }: { component: Component; proc: RecordedProcess }): Promise<void> {
  const deadline = Date.now() + component.readyTimeoutMs;
  for (;;) {
    if (!isOurs(proc)) throw new LabError(`${component.name} exited while starting${logTail(proc.log)}`);
    if (!component.readyUrl) {
      if (Date.now() >= deadline) return;
    } else {
      try {
        const res = await fetch(component.readyUrl, { signal: AbortSignal.timeout(2000) });
        await res.arrayBuffer();
        if (res.ok) return;
      } catch {
        /* not up yet */
      }
      if (Date.now() >= deadline) {
        throw new LabError(
          `${component.name} did not answer ${component.readyUrl} within ${component.readyTimeoutMs / 1000} s${logTail(proc.log)}`,
        );
      }
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

function logTail(file: string): string {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return '';
  }
  const lines = text.trim().split('\n').slice(-8);
  return `; the end of ${file}:\n  ${lines.join('\n  ')}`;
}

/** Stops what this run started, newest first, when starting failed or was interrupted. */
async function abort(started: RecordedProcess[], runDir: string, why: string): Promise<void> {
  process.stderr.write(`${NAME}: ${why}; stopping what was started\n`);
  for (const proc of [...started].reverse()) await stopProcess(proc, 5000);
  rmSync(join(runDir, 'lab.json'), { force: true });
}

/** Grafana, when a local one is installed (it cannot be installed from the lab's sources). */
function findGrafana(): { binary: string; home: string } | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    for (const name of ['grafana', 'grafana-server']) {
      const binary = join(dir, name);
      const home = process.env['GRAFANA_HOME'] ?? '/usr/share/grafana';
      if (dir && existsSync(binary) && existsSync(home)) return { binary, home };
    }
  }
  return undefined;
}

function summary(
  ctx: LabContext,
  urls: Record<string, string>,
  logs: string,
  traffic: boolean,
  grafana: boolean,
  runDirOption: string | undefined,
): string {
  const t = ctx.topology;
  const engines = t.customEndpoints
    ? `the model servers of ${t.endpointsFile}`
    : t.sims.map((s) => `${s.service.name} 127.0.0.1:${s.port}`).join(', ');
  const rows: [string, string][] = [
    ['Envoy', `${urls['envoy']}  the front door: the OpenAI-compatible API (admin ${urls['envoyAdmin']})`],
    ['Gateway', `${urls['gateway']}  direct, without Envoy (admin ${urls['gatewayAdmin']}/metrics)`],
    ['Phoenix', `${urls['phoenix']}  traces, project "switchyard"`],
    ['Prometheus', `${urls['prometheus']}  every series (try switchyard_routing_decisions_total)`],
    ['Collector', `OTLP gRPC 127.0.0.1:${ctx.ports.collectorGrpc}, HTTP ${urls['collectorHttp']}`],
    ['Engines', engines],
    [
      'Grafana',
      grafana
        ? `${urls['grafana']}  dashboards: Routing behaviour, LLM traffic, Gateway & Envoy`
        : 'not started: no local Grafana found (the dashboards run with docker compose -f docker-compose-otel.yaml up)',
    ],
    ['Traffic', traffic ? 'a steady seeded mix through Envoy (log: traffic.log)' : 'off (--no-traffic)'],
  ];
  const algorithm = process.env['ROUTING_ALGORITHM'] || 'random';
  const stop = `npm run lab:stop${runDirOption ? ` -- --run-dir ${runDirOption}` : ''}`;
  return `
Switchyard lab is up (${t.customEndpoints ? 'custom endpoints' : FLEET_ENDPOINTS}; routing algorithm ${algorithm}).
${rows.map(([k, v]) => `  ${k.padEnd(11)}${v}`).join('\n')}
Logs: ${logs}/<name>.log, one per process
Try:  curl -s ${urls['envoy']}/v1/chat/completions -H 'content-type: application/json' \\
        -d '{"model":"Qwen/Qwen3-8B","messages":[{"role":"user","content":"Hello!"}]}'
Stop: ${stop}
`;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof LabUsageError) {
      process.stderr.write(`${NAME}: ${err.message} (see ${NAME} -- --help)\n`);
      process.exitCode = 2;
    } else if (err instanceof LabError || err instanceof PlanError) {
      process.stderr.write(`${NAME}: ${err.message}\n`);
      process.exitCode = 1;
    } else if (err instanceof ConfigError) {
      process.stderr.write(`${NAME}: config error: ${err.message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`${NAME}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    }
  },
);
