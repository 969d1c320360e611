/**
 * The lab's files, checked without Docker (no engine runs here): both compose files
 * validate against the Compose specification's schema; every file a service mounts,
 * includes or builds from exists; published ports are the ones the services listen on;
 * the Envoy, Prometheus, collector and Grafana files agree with the compose services;
 * every service the README's lab table names exists (and none is left out); the
 * Dockerfile is multi-stage, non-root, with the healthcheck. The real Envoy, promtool and
 * collector check the same files in test/e2e/lab-configs.test.ts.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { loadRoutes } from '../src/config/load.js';
import { DEFAULT_LISTEN } from '../src/config/model.js';
import { composeSchemaFile } from './helpers/reference.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const read = (file: string) => readFileSync(join(REPO, file), 'utf8');
const yaml = <T = Record<string, unknown>>(file: string) => parse(read(file), { merge: true }) as T;

interface Service {
  image?: string;
  build?: string | { context: string; dockerfile?: string };
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, unknown> | string[];
  healthcheck?: { test?: string[]; disable?: boolean };
}
interface Compose {
  include?: { path: string; env_file?: string }[];
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const base = yaml<Compose>('docker-compose.yaml');
const otel = yaml<Compose>('docker-compose-otel.yaml');
const services: Record<string, Service> = { ...base.services, ...otel.services };

/** Container ports published by a service (`"host:container"`). */
const published = (s: Service) => (s.ports ?? []).map((p) => Number(String(p).split(':').pop()));

describe('lab files', () => {
  it('both compose files validate against the Compose specification (draft 2020-12)', () => {
    const schema = JSON.parse(readFileSync(composeSchemaFile(), 'utf8')) as object;
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
    const validate = ajv.compile(schema);
    for (const file of ['docker-compose.yaml', 'docker-compose-otel.yaml']) {
      const ok = validate(yaml(file));
      assert.ok(ok, `${file}: ${ajv.errorsText(validate.errors, { separator: '\n' })}`);
    }
    // The schema catches a broken file: a service with an unknown key fails.
    assert.equal(validate({ services: { x: { image: 'a', commandd: ['x'] } } }), false);
  });

  it('every mounted, included or built file exists; depends_on names services', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const volume of s.volumes ?? []) {
        const host = volume.split(':')[0]!;
        if (host.startsWith('.'))
          assert.ok(existsSync(join(REPO, host)), `${name} mounts ${host}, which does not exist`);
        else assert.ok(otel.volumes?.[host] !== undefined, `${name} uses the undeclared volume ${host}`);
      }
      if (s.build) {
        const context = typeof s.build === 'string' ? s.build : s.build.context;
        const dockerfile = typeof s.build === 'string' ? 'Dockerfile' : (s.build.dockerfile ?? 'Dockerfile');
        assert.ok(existsSync(join(REPO, context, dockerfile)), `${name} builds from a missing ${dockerfile}`);
      }
      const deps = Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {});
      for (const dep of deps) assert.ok(services[dep], `${name} depends on the unknown service ${dep}`);
      assert.ok(s.image, `${name} has an image`);
    }
    for (const include of otel.include ?? []) {
      assert.ok(existsSync(join(REPO, include.path)), `include ${include.path}`);
      if (include.env_file)
        assert.ok(existsSync(join(REPO, include.env_file)), `env_file ${include.env_file}`);
    }
    // Third-party images are pinned to a version.
    for (const [name, s] of Object.entries(services)) {
      if (s.build) continue;
      assert.match(s.image!, /:[^:]*\d+\.\d+/, `${name}'s image ${s.image} is pinned`);
    }
  });

  it('publishes the ports the services listen on', () => {
    const envoy = yaml<EnvoyConfig>('envoy/envoy.yaml');
    const envoyPorts = [
      envoy.admin.address.socket_address.port_value,
      ...envoy.static_resources.listeners.map((l) => l.address.socket_address.port_value),
    ];
    assert.deepEqual(published(services['envoy']!).sort(), [...envoyPorts].sort());
    assert.deepEqual(published(services['gateway']!), [DEFAULT_LISTEN.port, DEFAULT_LISTEN.adminPort]);
    assert.deepEqual(published(services['phoenix']!), [6006]);
    assert.deepEqual(published(services['prometheus']!), [9090]);
    assert.deepEqual(published(services['grafana']!), [3000]);
    assert.deepEqual(published(services['otel-collector']!), [4317, 4318]);
    // Each engine listens where configs/endpoints.yaml and configs/prometheus.yml look for it.
    const endpoints = read('configs/endpoints.yaml');
    for (const [name, s] of Object.entries(services)) {
      if (s.command?.[0] !== 'sim') continue;
      const port = s.command[s.command.indexOf('--port') + 1];
      assert.ok(endpoints.includes(`'${name}:${port}'`), `configs/endpoints.yaml lists ${name}:${port}`);
    }
  });

  it("Envoy's upstreams, Prometheus's targets and the collector's exporters name compose services", () => {
    const envoy = yaml<EnvoyConfig>('envoy/envoy.yaml');
    const upstreams = envoy.static_resources.clusters.flatMap((c) =>
      c.load_assignment.endpoints.flatMap((e) =>
        e.lb_endpoints.map(
          (lb) =>
            `${lb.endpoint.address.socket_address.address}:${lb.endpoint.address.socket_address.port_value}`,
        ),
      ),
    );
    assert.deepEqual(upstreams, [`gateway:${DEFAULT_LISTEN.port}`, 'otel-collector:4317']);

    const prometheus = yaml<{
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    }>('configs/prometheus.yml');
    for (const job of prometheus.scrape_configs) {
      for (const target of job.static_configs.flatMap((g) => g.targets)) {
        const host = target.split(':')[0]!;
        assert.ok(
          host === 'localhost' || services[host],
          `${job.job_name} scrapes ${target}: no such service`,
        );
      }
    }
    const collector = services['otel-collector']!;
    assert.ok(
      services[collector.environment!['PHOENIX_HOST']!],
      'the collector exports to the phoenix service',
    );
    assert.equal(
      read('configs/lab-otel.env').match(/^SWITCHYARD_LAB_OTLP_ENDPOINT=(.*)$/m)?.[1],
      'http://otel-collector:4318',
    );
  });

  it('the example aigw config serves the fleet of configs/endpoints.yaml from the compose services', () => {
    const aigw = loadRoutes({
      configFile: join(REPO, 'configs/aigw-lab.yaml'),
      env: { ROUTING_ALGORITHM: 'least-request' },
    })!;
    const fleet = loadRoutes({ endpointsFile: join(REPO, 'configs/endpoints.yaml'), env: {} })!;
    const served = (routes: typeof aigw.routes) =>
      routes.map((r) => [
        r.listedModels.map((m) => m.id).join(),
        r.backends.flatMap((b) => b.backend.endpoints.filter((e) => e.role !== 'prefill').map((e) => e.id)),
      ]);
    assert.deepEqual(
      served(aigw.routes),
      served(fleet.routes),
      'same models, same engines (the decode side for pd)',
    );
    assert.deepEqual(
      aigw.routes.map((r) => r.routingAlgorithm),
      ['least-request', 'least-request'],
      'ROUTING_ALGORITHM fills the route annotation',
    );
    assert.equal(aigw.listenPort, DEFAULT_LISTEN.port);
    for (const [, endpoints] of served(aigw.routes)) {
      for (const id of endpoints as string[])
        assert.ok(services[id.split(':')[0]!], `${id} is a compose service`);
    }
  });

  it('the collector config uses only components the builder manifest compiles in', () => {
    // Config type name -> the module ocb builds it from.
    const modules: Record<string, string> = {
      otlp: 'receiver/otlpreceiver',
      batch: 'processor/batchprocessor',
      memory_limiter: 'processor/memorylimiterprocessor',
      otlp_http: 'exporter/otlphttpexporter',
      prometheus: 'exporter/prometheusexporter',
      prometheus_remote_write: 'exporter/prometheusremotewriteexporter',
      debug: 'exporter/debugexporter',
      health_check: 'extension/healthcheckextension',
    };
    const manifest = read('configs/otelcol-builder.yaml');
    for (const file of ['configs/otel-collector.yaml', 'configs/otel-collector.remote-write.yaml']) {
      const config = yaml<Record<string, Record<string, unknown> | undefined>>(file);
      for (const section of ['receivers', 'processors', 'exporters', 'extensions']) {
        for (const id of Object.keys(config[section] ?? {})) {
          const type = id.split('/')[0]!;
          assert.ok(modules[type], `${file}: ${section}.${id} is not a known component`);
          assert.ok(
            manifest.includes(`/${modules[type]} `),
            `${file}: ${id} is not in configs/otelcol-builder.yaml`,
          );
        }
      }
    }
  });

  it('Grafana: provisioning and dashboards parse, and every panel queries the provisioned datasource', () => {
    const datasources = yaml<{ datasources: { uid: string; type: string; url: string }[] }>(
      'grafana/provisioning/datasources/prometheus.yaml',
    ).datasources;
    assert.equal(datasources.length, 1);
    const uid = datasources[0]!.uid;
    assert.equal(datasources[0]!.type, 'prometheus');
    assert.equal(services['grafana']!.environment!['PROMETHEUS_URL'], 'http://prometheus:9090');
    const provider = yaml<{ providers: { options: { path: string } }[] }>(
      'grafana/provisioning/dashboards/switchyard.yaml',
    );
    assert.equal(provider.providers[0]!.options.path, '${SWITCHYARD_DASHBOARDS}');
    const dashboardsDir = services['grafana']!.environment!['SWITCHYARD_DASHBOARDS'];
    assert.ok(
      services['grafana']!.volumes!.includes(`./grafana/dashboards:${dashboardsDir}:ro`),
      'the dashboards folder is mounted where the provider reads',
    );

    const titles: string[] = [];
    for (const file of readdirSync(join(REPO, 'grafana/dashboards'))) {
      const dashboard = JSON.parse(read(`grafana/dashboards/${file}`)) as Dashboard;
      titles.push(dashboard.title);
      assert.ok(dashboard.uid, `${file} has a uid`);
      const panels = dashboard.panels.filter((p) => p.type !== 'row');
      assert.ok(panels.length >= 3, `${file} has panels`);
      for (const panel of panels) {
        assert.equal(
          panel.datasource?.uid,
          uid,
          `${file}: panel "${panel.title}" uses the provisioned datasource`,
        );
        assert.ok(panel.targets?.length, `${file}: panel "${panel.title}" has queries`);
        for (const target of panel.targets!) {
          assert.equal(target.datasource?.uid, uid, `${file}: a query of "${panel.title}"`);
          assert.ok(target.expr.trim(), `${file}: "${panel.title}" has an expression`);
        }
      }
    }
    assert.deepEqual(titles.sort(), ['Gateway & Envoy', 'LLM traffic', 'Routing behaviour']);
    const home = services['grafana']!.environment!['GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH']!;
    assert.ok(
      existsSync(join(REPO, 'grafana/dashboards', home.slice(`${dashboardsDir}/`.length))),
      'home dashboard',
    );
  });

  it('the Dockerfile: multi-stage, non-root, HEALTHCHECK with switchyard healthcheck, copies what exists', () => {
    const dockerfile = read('Dockerfile');
    assert.ok((dockerfile.match(/^FROM /gm) ?? []).length >= 2, 'multi-stage');
    assert.match(dockerfile, /^USER (?!root)\S+/m);
    assert.match(dockerfile, /^HEALTHCHECK .*\n?.*CMD \["switchyard", "healthcheck"\]/m);
    assert.match(dockerfile, /^ENTRYPOINT \["switchyard"\]/m);
    for (const [, source] of dockerfile.matchAll(/^COPY (?!--from)(\S+)/gm)) {
      assert.ok(existsSync(join(REPO, source!)), `COPY ${source}`);
    }
    const ignore = read('.dockerignore');
    assert.match(ignore, /^\*$/m, 'the build context is allow-listed');
    for (const [name, s] of Object.entries(services)) {
      if (s.image === base.services['gateway']!.image && name !== 'gateway') {
        assert.ok(s.healthcheck, `${name} runs the image for another role and sets its own healthcheck`);
      }
    }
  });

  it("every service the README's lab table names exists, and every service is in it", () => {
    const readme = read('README.md');
    const start = readme.indexOf('\n## Lab');
    assert.ok(start >= 0, 'the README has a Lab section');
    const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
    const named = [...section.matchAll(/^\| `([a-z][a-z0-9-]*)` +\|/gm)].map((m) => m[1]!);
    assert.ok(named.length > 0);
    for (const name of named)
      assert.ok(services[name], `the README names \`${name}\`, which no compose file defines`);
    for (const name of Object.keys(services))
      assert.ok(named.includes(name), `the README's lab table leaves out ${name}`);
    for (const file of ['docker-compose.yaml', 'docker-compose-otel.yaml']) assert.ok(section.includes(file));
  });

  it('the dashboards folder holds JSON only', () => {
    for (const file of readdirSync(join(REPO, 'grafana/dashboards'))) {
      assert.ok(file.endsWith('.json') && statSync(join(REPO, 'grafana/dashboards', file)).isFile(), file);
    }
  });
});

interface EnvoyConfig {
  admin: { address: { socket_address: { address: string; port_value: number } } };
  static_resources: {
    listeners: { address: { socket_address: { port_value: number } } }[];
    clusters: {
      load_assignment: {
        endpoints: {
          lb_endpoints: {
            endpoint: { address: { socket_address: { address: string; port_value: number } } };
          }[];
        }[];
      };
    }[];
  };
}

export interface Dashboard {
  title: string;
  uid: string;
  panels: {
    type: string;
    title: string;
    datasource?: { uid: string };
    targets?: { expr: string; refId: string; legendFormat?: string; datasource?: { uid: string } }[];
  }[];
}
