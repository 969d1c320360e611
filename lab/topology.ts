/**
 * The local lab, planned from the compose files: which processes run, with which
 * arguments, environment, ports and readiness URL. The services, their commands and
 * environment come from docker-compose-otel.yaml (and the docker-compose.yaml it
 * includes); `rewrite.ts` points every `service:port` at the local process.
 */
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { loadEndpointsFile } from '../src/config/endpoints-file.js';
import type { EndpointRole } from '../src/config/model.js';
import { type ComposeService, readCompose, readEnvFile } from './compose.js';
import { PORTS, type PortKey, SIM_BASE_PORT } from './options.js';
import type { ScrapeTarget } from './rewrite.js';

export const COMPOSE_FILE = 'docker-compose-otel.yaml';
export const FLEET_ENDPOINTS = 'configs/endpoints.yaml';
export const ENVOY_CONFIG = 'envoy/envoy.yaml';
export const PROMETHEUS_CONFIG = 'configs/prometheus.yml';

/** Container ports of the compose services, by the local port that replaces each. */
const SERVICE_PORTS: readonly [string, PortKey][] = [
  ['gateway:1975', 'gateway'],
  ['gateway:1064', 'gatewayAdmin'],
  ['envoy:10080', 'envoy'],
  ['envoy:9901', 'envoyAdmin'],
  ['otel-collector:4317', 'collectorGrpc'],
  ['otel-collector:4318', 'collectorHttp'],
  ['otel-collector:13133', 'collectorHealth'],
  ['otel-collector:8889', 'collectorMetrics'],
  ['otel-collector:8888', 'collectorTelemetry'],
  ['phoenix:6006', 'phoenix'],
  ['prometheus:9090', 'prometheus'],
  ['localhost:9090', 'prometheus'], // Prometheus scraping itself
  ['grafana:3000', 'grafana'],
];

export interface SimPlan {
  readonly service: ComposeService;
  /** As the endpoints file names it: `sim-8b-1:8000`. */
  readonly composeAddress: string;
  readonly model: string;
  readonly role: EndpointRole;
  port: number;
}

export interface Topology {
  readonly repo: string;
  readonly services: ReadonlyMap<string, ComposeService>;
  /** Simulators to start (none with a custom endpoints file). */
  readonly sims: SimPlan[];
  /** The endpoints file the gateway reads (before rewriting), and whether it is the lab's own. */
  readonly endpointsFile: string;
  readonly customEndpoints: boolean;
  readonly envoyConfig: string;
  /** Engines Prometheus scrapes, for a custom endpoints file (else the compose job as written). */
  readonly engines?: ScrapeTarget[];
}

export function planTopology(
  repo: string,
  options: { endpointsFile?: string; envoyConfig?: string },
  env: NodeJS.ProcessEnv,
): Topology {
  const otel = readCompose(join(repo, COMPOSE_FILE), env);
  const services = new Map(otel.services);
  for (const include of otel.includes) {
    // As compose does: the shell's variables win over the include's env_file.
    const vars = { ...Object.assign({}, ...include.envFiles.map(readEnvFile)), ...env };
    for (const [name, service] of readCompose(include.path, vars).services) services.set(name, service);
  }
  const envoyConfig = options.envoyConfig ?? join(repo, ENVOY_CONFIG);
  if (!existsSync(envoyConfig)) throw new PlanError(`the Envoy config ${envoyConfig} does not exist`);
  if (options.endpointsFile) {
    const routes = loadEndpointsFile(options.endpointsFile);
    const engines: ScrapeTarget[] = [];
    for (const route of routes) {
      for (const ref of route.backends) {
        for (const e of ref.backend.endpoints) {
          engines.push({
            address: e.metricsUrl ? new URL(e.metricsUrl).host : e.id,
            labels: { role: e.role },
          });
        }
      }
    }
    return {
      repo,
      services,
      sims: [],
      endpointsFile: options.endpointsFile,
      customEndpoints: true,
      envoyConfig,
      engines,
    };
  }
  const endpointsFile = join(repo, FLEET_ENDPOINTS);
  const sims: SimPlan[] = [];
  for (const route of loadEndpointsFile(endpointsFile)) {
    for (const ref of route.backends) {
      for (const e of ref.backend.endpoints) {
        const service = services.get(e.host);
        if (!service || service.command[0] !== 'sim') {
          throw new PlanError(
            `${FLEET_ENDPOINTS} names ${e.id}, but ${basename(COMPOSE_FILE)} has no \`sim\` service called ${e.host}`,
          );
        }
        sims.push({ service, composeAddress: e.id, model: route.name, role: e.role, port: 0 });
      }
    }
  }
  return { repo, services, sims, endpointsFile, customEndpoints: false, envoyConfig };
}

/** Local ports: explicit ones, else free ones (`--free-ports`), else the defaults. */
export async function assignPorts(
  topology: Topology,
  explicit: Partial<Record<PortKey, number>>,
  simBasePort: number | undefined,
  freePort: (() => Promise<number>) | undefined,
): Promise<Record<PortKey, number>> {
  const ports = {} as Record<PortKey, number>;
  for (const p of PORTS) ports[p.key] = explicit[p.key] ?? (freePort ? await freePort() : p.default);
  for (const [i, sim] of topology.sims.entries()) {
    sim.port =
      simBasePort !== undefined ? simBasePort + i : freePort ? await freePort() : SIM_BASE_PORT.default + i;
  }
  return ports;
}

/** `service:port` -> `127.0.0.1:localPort` for every address the lab's files use. */
export function addressMap(topology: Topology, ports: Record<PortKey, number>): Map<string, string> {
  const map = new Map<string, string>();
  for (const [from, key] of SERVICE_PORTS) map.set(from, `127.0.0.1:${ports[key]}`);
  for (const sim of topology.sims) map.set(sim.composeAddress, `127.0.0.1:${sim.port}`);
  return map;
}

/** Every port the lab will listen on, with who listens and the option that moves it. */
export function listeningPorts(
  topology: Topology,
  ports: Record<PortKey, number>,
  withGrafana: boolean,
): { port: number; component: string; option: string }[] {
  const out = PORTS.filter((p) => withGrafana || p.key !== 'grafana').map((p) => ({
    port: ports[p.key],
    component: p.component,
    option: `--${p.option}`,
  }));
  for (const sim of topology.sims) {
    out.push({
      port: sim.port,
      component: `simulator ${sim.service.name}`,
      option: `--${SIM_BASE_PORT.option}`,
    });
  }
  return out;
}

export function service(topology: Topology, name: string): ComposeService {
  const s = topology.services.get(name);
  if (!s) throw new PlanError(`${COMPOSE_FILE} has no service "${name}"`);
  return s;
}

/** The plan cannot be made from the files (a missing service or file). */
export class PlanError extends Error {}
