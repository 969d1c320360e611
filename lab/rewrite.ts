/**
 * From the compose network to loopback: every `service:port` the lab's files name is
 * given a local address, and each config is rewritten with that one table, so the local
 * lab runs exactly the files compose runs. Nothing else in a file changes.
 */
import { parse, stringify } from 'yaml';

/** `service:containerPort` -> `127.0.0.1:localPort`. */
export type AddressMap = ReadonlyMap<string, string>;

/** Replaces every `service:port` of the map in free text (URLs, arguments, YAML). */
export function rewriteText(text: string, addresses: AddressMap): string {
  let out = text;
  for (const [from, to] of addresses) {
    const escaped = from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    out = out.replace(new RegExp(`(?<![\\w.-])${escaped}(?![\\w])`, 'g'), to);
  }
  return out;
}

export interface EnvoyRewrite {
  readonly addresses: AddressMap;
  /** The port the listener bound to 10080 in compose moves to. */
  readonly listenerPorts: ReadonlyMap<number, number>;
  readonly adminPort: number;
}

/**
 * The Envoy config for local processes: the admin and every listener on 127.0.0.1 (the
 * listener ports the lab knows moved), and each upstream `socket_address` (and its health
 * check port) that names a compose service pointed at the local process.
 */
export function rewriteEnvoyConfig(yamlText: string, rewrite: EnvoyRewrite): string {
  const config = parse(yamlText) as Record<string, unknown>;
  const admin = config['admin'] as { address?: { socket_address?: SocketAddress } } | undefined;
  if (admin?.address?.socket_address) {
    admin.address.socket_address.address = '127.0.0.1';
    admin.address.socket_address.port_value = rewrite.adminPort;
  }
  const statics = (config['static_resources'] ?? {}) as { listeners?: Listener[]; clusters?: unknown[] };
  for (const listener of statics.listeners ?? []) {
    const socket = listener.address?.socket_address;
    if (!socket) continue;
    socket.address = '127.0.0.1';
    const moved = rewrite.listenerPorts.get(Number(socket.port_value));
    if (moved !== undefined) socket.port_value = moved;
  }
  for (const cluster of statics.clusters ?? []) visitEndpoints(cluster, rewrite.addresses);
  return stringify(config, { lineWidth: 0 });
}

interface SocketAddress {
  address: string;
  port_value: number | string;
}
interface Listener {
  address?: { socket_address?: SocketAddress };
}

/** Walks a cluster for `lb_endpoints[].endpoint` objects and rewrites their addresses. */
function visitEndpoints(node: unknown, addresses: AddressMap): void {
  if (Array.isArray(node)) {
    for (const item of node) visitEndpoints(item, addresses);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const obj = node as Record<string, unknown>;
  const endpoint = obj['endpoint'] as
    | { address?: { socket_address?: SocketAddress }; health_check_config?: { port_value?: number } }
    | undefined;
  const socket = endpoint?.address?.socket_address;
  if (socket) {
    const host = socket.address;
    const target = addresses.get(`${host}:${socket.port_value}`);
    if (target) {
      const [localHost, localPort] = splitAddress(target);
      socket.address = localHost;
      socket.port_value = localPort;
    }
    const hc = endpoint.health_check_config;
    if (hc?.port_value !== undefined) {
      const hcTarget = addresses.get(`${host}:${hc.port_value}`);
      if (hcTarget) hc.port_value = splitAddress(hcTarget)[1];
    }
  }
  for (const value of Object.values(obj)) visitEndpoints(value, addresses);
}

export interface ScrapeTarget {
  readonly address: string;
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * The Prometheus config for local processes: every job of the compose config kept, its
 * targets rewritten; the `engines` job lists `engines` (the endpoints file in use) when given.
 */
export function rewritePrometheusConfig(
  yamlText: string,
  addresses: AddressMap,
  engines?: readonly ScrapeTarget[],
): string {
  const config = parse(yamlText) as {
    scrape_configs?: {
      job_name: string;
      static_configs?: { targets: string[]; labels?: Record<string, string> }[];
    }[];
  };
  for (const job of config.scrape_configs ?? []) {
    if (job.job_name === 'engines' && engines) {
      job.static_configs = groupByLabels(engines);
      continue;
    }
    for (const group of job.static_configs ?? []) {
      group.targets = group.targets.map((t) => addresses.get(t) ?? t);
    }
  }
  return stringify(config, { lineWidth: 0 });
}

function groupByLabels(targets: readonly ScrapeTarget[]) {
  const groups = new Map<string, { targets: string[]; labels: Record<string, string> }>();
  for (const t of targets) {
    const key = JSON.stringify(t.labels);
    const group = groups.get(key) ?? { targets: [], labels: { ...t.labels } };
    group.targets.push(t.address);
    groups.set(key, group);
  }
  return [...groups.values()];
}

function splitAddress(address: string): [string, number] {
  const i = address.lastIndexOf(':');
  return [address.slice(0, i), Number(address.slice(i + 1))];
}
