/**
 * The local lab runner's command line (`npm run lab -- [options]`), declared once so
 * parsing, `--help` and the port-clash messages agree.
 */
import { parseArgs } from 'node:util';

/** One port of the lab, the option that moves it and its default. */
export interface PortSpec {
  readonly key: PortKey;
  /** Who listens there, as the clash message names it. */
  readonly component: string;
  readonly option: string;
  readonly default: number;
}

export type PortKey =
  | 'envoy'
  | 'envoyAdmin'
  | 'gateway'
  | 'gatewayAdmin'
  | 'phoenix'
  | 'phoenixGrpc'
  | 'collectorGrpc'
  | 'collectorHttp'
  | 'collectorHealth'
  | 'collectorMetrics'
  | 'collectorTelemetry'
  | 'prometheus'
  | 'grafana';

export const PORTS: readonly PortSpec[] = [
  { key: 'envoy', component: 'Envoy listener', option: 'envoy-port', default: 10080 },
  { key: 'envoyAdmin', component: 'Envoy admin', option: 'envoy-admin-port', default: 9901 },
  { key: 'gateway', component: 'gateway API', option: 'gateway-port', default: 1975 },
  { key: 'gatewayAdmin', component: 'gateway admin', option: 'gateway-admin-port', default: 1064 },
  { key: 'phoenix', component: 'Phoenix UI and OTLP/HTTP', option: 'phoenix-port', default: 6006 },
  { key: 'phoenixGrpc', component: 'Phoenix OTLP/gRPC', option: 'phoenix-grpc-port', default: 6007 },
  { key: 'collectorGrpc', component: 'Collector OTLP/gRPC', option: 'collector-grpc-port', default: 4317 },
  { key: 'collectorHttp', component: 'Collector OTLP/HTTP', option: 'collector-http-port', default: 4318 },
  {
    key: 'collectorHealth',
    component: 'Collector health check',
    option: 'collector-health-port',
    default: 13133,
  },
  {
    key: 'collectorMetrics',
    component: 'Collector Prometheus exporter',
    option: 'collector-metrics-port',
    default: 8889,
  },
  {
    key: 'collectorTelemetry',
    component: "Collector's own metrics",
    option: 'collector-telemetry-port',
    default: 8888,
  },
  { key: 'prometheus', component: 'Prometheus', option: 'prometheus-port', default: 9090 },
  { key: 'grafana', component: 'Grafana', option: 'grafana-port', default: 3000 },
];

export const SIM_BASE_PORT = { option: 'sim-base-port', default: 8001 };

export interface LabOptions {
  readonly help: boolean;
  /** AIBrix endpoints file of running model servers; no simulators are started then. */
  readonly endpointsFile?: string;
  /** Envoy config to run instead of envoy/envoy.yaml. */
  readonly envoyConfig?: string;
  readonly ports: Partial<Record<PortKey, number>>;
  readonly simBasePort?: number;
  /** Every port not given explicitly is picked free. */
  readonly freePorts: boolean;
  readonly runDir?: string;
  readonly traffic: boolean;
}

/** A bad command line; printed as one line, exit status 2. */
export class LabUsageError extends Error {}

export function parseLabOptions(argv: readonly string[]): LabOptions {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
    endpoints: { type: 'string', short: 'e' },
    'envoy-config': { type: 'string', short: 'c' },
    'free-ports': { type: 'boolean' },
    'run-dir': { type: 'string' },
    'no-traffic': { type: 'boolean' },
    [SIM_BASE_PORT.option]: { type: 'string' },
  };
  for (const p of PORTS) options[p.option] = { type: 'string' };
  let values: Record<string, string | boolean | undefined>;
  try {
    const parsed = parseArgs({ args: [...argv], options, allowPositionals: false, strict: true });
    values = parsed.values as Record<string, string | boolean | undefined>;
  } catch (err) {
    throw new LabUsageError((err as Error).message.split('\n')[0]!);
  }
  const ports: Partial<Record<PortKey, number>> = {};
  for (const p of PORTS) {
    const raw = values[p.option];
    if (typeof raw === 'string') ports[p.key] = port(raw, p.option);
  }
  const simBase = values[SIM_BASE_PORT.option];
  return {
    help: values['help'] === true,
    ...(typeof values['endpoints'] === 'string' ? { endpointsFile: values['endpoints'] } : {}),
    ...(typeof values['envoy-config'] === 'string' ? { envoyConfig: values['envoy-config'] } : {}),
    ports,
    ...(typeof simBase === 'string' ? { simBasePort: port(simBase, SIM_BASE_PORT.option) } : {}),
    freePorts: values['free-ports'] === true,
    ...(typeof values['run-dir'] === 'string' ? { runDir: values['run-dir'] } : {}),
    traffic: values['no-traffic'] !== true,
  };
}

function port(raw: string, option: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 65535) {
    throw new LabUsageError(`invalid value "${raw}" for --${option}: expected a port number 1-65535`);
  }
  return Number(raw);
}

export function labHelp(): string {
  const rows: [string, string][] = [
    [
      '-e, --endpoints FILE',
      'AIBrix endpoints file of model servers that are already running; no simulators are started',
    ],
    [
      '-c, --envoy-config FILE',
      'Envoy config to run instead of envoy/envoy.yaml (its listener, admin and the',
    ],
    ['', 'switchyard_gateway / otel_collector clusters are pointed at the local processes)'],
    ['--free-ports', 'pick a free port for everything not set below (labs side by side, tests)'],
    ...PORTS.map((p): [string, string] => [`--${p.option} N`, `${p.component} (default ${p.default})`]),
    [
      `--${SIM_BASE_PORT.option} N`,
      `first simulator's port; the next ones follow (default ${SIM_BASE_PORT.default})`,
    ],
    ['--no-traffic', 'do not start the traffic generator'],
    ['--run-dir DIR', 'logs, generated configs, data and the process ids (default .lab/run)'],
    ['-h, --help', 'this help'],
  ];
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  return `Usage: npm run lab -- [options]        (stop it with: npm run lab:stop)

Starts the lab of docker-compose-otel.yaml as local processes: the simulated engines, the
gateway, Envoy in front (:10080), the OpenTelemetry Collector, Phoenix and Prometheus
(installed by scripts/lab/install.sh). Grafana runs only when a local one is installed.
Logs: one file per process in <run-dir>/logs.

Options:
${rows.map(([l, r]) => `  ${l.padEnd(width)}${r}`).join('\n')}

Environment:
  ROUTING_ALGORITHM=NAME  the gateway's routing algorithm (default random), e.g.
                          ROUTING_ALGORITHM=least-request npm run lab
  SWITCHYARD_LAB_DIR      where scripts/lab/install.sh installed the parts (default .lab)
`;
}
