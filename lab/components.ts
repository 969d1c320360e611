/**
 * How each lab component runs as a local process: command, arguments, environment and
 * readiness check, derived from its compose service. Container paths of bind mounts
 * become repository files (or the generated local copy), `service:port` addresses become
 * loopback ones, and every listener is bound to 127.0.0.1.
 */
import { join } from 'node:path';
import type { ComposeService } from './compose.js';
import type { PortKey } from './options.js';
import { type AddressMap, rewriteText } from './rewrite.js';
import { type SimPlan, service, type Topology } from './topology.js';

export interface Component {
  /** The compose service name; also the log file's name. */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  /** GET this until it answers 2xx; without it, "still running after a moment" is ready. */
  readonly readyUrl?: string;
  readonly readyTimeoutMs: number;
}

export interface LabContext {
  readonly topology: Topology;
  readonly ports: Record<PortKey, number>;
  readonly addresses: AddressMap;
  /** Binaries installed by scripts/lab/install.sh. */
  readonly bin: (name: string) => string;
  /** `switchyard` itself: node + the compiled CLI. */
  readonly node: string;
  readonly cli: string;
  readonly dataDir: string;
  /** Generated local copies, by the repository file they replace. */
  readonly generated: ReadonlyMap<string, string>;
}

/** The environment every process starts from: no provider keys or OTEL_* of the shell leak in. */
export function baseEnv(): NodeJS.ProcessEnv {
  const keep = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TMPDIR', 'TZ', 'USER'];
  return Object.fromEntries(keep.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]]));
}

export function simComponent(ctx: LabContext, sim: SimPlan): Component {
  return {
    name: sim.service.name,
    command: ctx.node,
    args: [
      ctx.cli,
      ...withoutFlags(sim.service.command, ['--port', '--host']),
      '--host',
      '127.0.0.1',
      '--port',
      String(sim.port),
    ],
    env: { ...baseEnv(), ...localEnv(ctx, sim.service) },
    readyUrl: `http://127.0.0.1:${sim.port}/health`,
    readyTimeoutMs: 30_000,
  };
}

export function gatewayComponent(ctx: LabContext): Component {
  const gw = service(ctx.topology, 'gateway');
  return {
    name: 'gateway',
    command: ctx.node,
    args: [
      ctx.cli,
      ...localArgs(ctx, gw),
      '--host',
      '127.0.0.1',
      '--admin-host',
      '127.0.0.1',
      '--port',
      String(ctx.ports.gateway),
      '--admin-port',
      String(ctx.ports.gatewayAdmin),
    ],
    env: { ...baseEnv(), ...localEnv(ctx, gw) },
    readyUrl: `http://127.0.0.1:${ctx.ports.gatewayAdmin}/health`,
    readyTimeoutMs: 30_000,
  };
}

export function envoyComponent(ctx: LabContext): Component {
  const envoy = service(ctx.topology, 'envoy');
  return {
    name: 'envoy',
    command: ctx.bin('envoy'),
    // Hot restart would share memory between Envoys on one machine; a second lab or a test
    // Envoy beside this one needs it off.
    args: [...localArgs(ctx, envoy), '--disable-hot-restart'],
    env: { ...baseEnv(), ...localEnv(ctx, envoy) },
    readyUrl: `http://127.0.0.1:${ctx.ports.envoyAdmin}/ready`,
    readyTimeoutMs: 30_000,
  };
}

export function collectorComponent(ctx: LabContext): Component {
  const collector = service(ctx.topology, 'otel-collector');
  const p = ctx.ports;
  return {
    name: 'otel-collector',
    command: ctx.bin('otelcol-switchyard'),
    args: localArgs(ctx, collector),
    env: {
      ...baseEnv(),
      ...localEnv(ctx, collector),
      // The variables configs/otel-collector.yaml reads (compose gives container addresses).
      OTELCOL_HOST: '127.0.0.1',
      OTELCOL_OTLP_GRPC_PORT: String(p.collectorGrpc),
      OTELCOL_OTLP_HTTP_PORT: String(p.collectorHttp),
      OTELCOL_HEALTH_PORT: String(p.collectorHealth),
      OTELCOL_PROM_PORT: String(p.collectorMetrics),
      OTELCOL_SELF_METRICS_PORT: String(p.collectorTelemetry),
      PHOENIX_HOST: '127.0.0.1',
      PHOENIX_PORT: String(p.phoenix),
    },
    readyUrl: `http://127.0.0.1:${p.collectorHealth}/`,
    readyTimeoutMs: 30_000,
  };
}

export function phoenixComponent(ctx: LabContext): Component {
  const phoenix = service(ctx.topology, 'phoenix');
  return {
    name: 'phoenix',
    command: ctx.bin('phoenix'),
    args: ['serve'],
    env: {
      ...baseEnv(),
      ...localEnv(ctx, phoenix),
      PHOENIX_WORKING_DIR: join(ctx.dataDir, 'phoenix'),
      PHOENIX_HOST: '127.0.0.1',
      PHOENIX_PORT: String(ctx.ports.phoenix),
      PHOENIX_GRPC_PORT: String(ctx.ports.phoenixGrpc),
    },
    readyUrl: `http://127.0.0.1:${ctx.ports.phoenix}/readyz`,
    // Importing Phoenix alone takes ~10 s; 12-28 s to ready were measured on a busy machine.
    readyTimeoutMs: 180_000,
  };
}

export function prometheusComponent(ctx: LabContext): Component {
  const prometheus = service(ctx.topology, 'prometheus');
  const args = localArgs(ctx, prometheus).filter((a) => !a.startsWith('--storage.tsdb.path='));
  return {
    name: 'prometheus',
    command: ctx.bin('prometheus'),
    args: [
      ...args,
      `--storage.tsdb.path=${join(ctx.dataDir, 'prometheus')}`,
      `--web.listen-address=127.0.0.1:${ctx.ports.prometheus}`,
    ],
    env: baseEnv(),
    readyUrl: `http://127.0.0.1:${ctx.ports.prometheus}/-/ready`,
    readyTimeoutMs: 60_000,
  };
}

export function trafficComponent(ctx: LabContext): Component {
  const traffic = service(ctx.topology, 'traffic');
  return {
    name: 'traffic',
    command: ctx.node,
    args: [ctx.cli, ...localArgs(ctx, traffic)],
    env: { ...baseEnv(), ...localEnv(ctx, traffic) },
    readyTimeoutMs: 1500,
  };
}

export function grafanaComponent(ctx: LabContext, grafana: { binary: string; home: string }): Component {
  const g = service(ctx.topology, 'grafana');
  return {
    name: 'grafana',
    command: grafana.binary,
    args: ['server', '--homepath', grafana.home],
    env: {
      ...baseEnv(),
      ...localEnv(ctx, g),
      GF_PATHS_PROVISIONING: hostPath(g, '/etc/grafana/provisioning') ?? '',
      GF_PATHS_DATA: join(ctx.dataDir, 'grafana'),
      GF_PATHS_LOGS: join(ctx.dataDir, 'grafana', 'log'),
      GF_SERVER_HTTP_ADDR: '127.0.0.1',
      GF_SERVER_HTTP_PORT: String(ctx.ports.grafana),
    },
    readyUrl: `http://127.0.0.1:${ctx.ports.grafana}/api/health`,
    readyTimeoutMs: 60_000,
  };
}

/** The compose command with mounted container paths and service addresses made local. */
function localArgs(ctx: LabContext, svc: ComposeService): string[] {
  return svc.command.map((arg) => {
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0)
      return `${arg.slice(0, eq + 1)}${localValue(ctx, svc, arg.slice(eq + 1))}`;
    return localValue(ctx, svc, arg);
  });
}

/** The compose environment with the same translation as the arguments. */
function localEnv(ctx: LabContext, svc: ComposeService): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(svc.environment)) out[key] = localValue(ctx, svc, value);
  return out;
}

function localValue(ctx: LabContext, svc: ComposeService, value: string): string {
  const file = hostPath(svc, value);
  if (file !== undefined) return ctx.generated.get(file) ?? file;
  return rewriteText(value, ctx.addresses);
}

/** The repository file (or folder) a container path of `svc` is mounted from. */
function hostPath(svc: ComposeService, containerPath: string): string | undefined {
  for (const [container, host] of svc.mounts) {
    if (containerPath === container) return host;
    if (containerPath.startsWith(`${container}/`))
      return join(host, containerPath.slice(container.length + 1));
  }
  return undefined;
}

/** The command without `--flag value` / `--flag=value` for the given flags. */
function withoutFlags(command: readonly string[], flags: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < command.length; i++) {
    const arg = command[i]!;
    if (flags.includes(arg)) {
      i++;
      continue;
    }
    if (flags.some((f) => arg.startsWith(`${f}=`))) continue;
    out.push(arg);
  }
  return out;
}
