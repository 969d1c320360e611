/**
 * The lab's configs, checked by the real tools that run them: `envoy --mode validate` on
 * envoy/envoy.yaml (as compose runs it, and as `npm run lab` rewrites it), `promtool check
 * config` on configs/prometheus.yml (both forms too), and the collector's `validate` on
 * configs/otel-collector.yaml with compose's and the local lab's environment. A config the
 * tools reject is reported by them: the test checks that as well, so it can fail.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { rewriteEnvoyConfig, rewritePrometheusConfig } from '../../lab/rewrite.js';
import { tempDir } from '../helpers/files.js';
import { labBinary, REPO } from './lab.js';

function run(binary: string, args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(labBinary(binary), [...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

const local = new Map([
  ['gateway:1975', '127.0.0.1:21975'],
  ['gateway:1064', '127.0.0.1:21064'],
  ['otel-collector:4317', '127.0.0.1:24317'],
  ['envoy:9901', '127.0.0.1:29901'],
  ['localhost:9090', '127.0.0.1:29090'],
]);

describe('e2e: the lab configs pass the real tools', () => {
  const dir = tempDir('switchyard-e2e-configs-');

  it('envoy --mode validate accepts envoy/envoy.yaml, as written and as npm run lab rewrites it', () => {
    const asWritten = run('envoy', ['--mode', 'validate', '-c', join(REPO, 'envoy/envoy.yaml')]);
    assert.equal(asWritten.code, 0, asWritten.output);
    assert.match(asWritten.output, /configuration '.*envoy\/envoy\.yaml' OK/);

    const rewritten = join(dir, 'envoy.yaml');
    writeFileSync(
      rewritten,
      rewriteEnvoyConfig(readFileSync(join(REPO, 'envoy/envoy.yaml'), 'utf8'), {
        addresses: local,
        listenerPorts: new Map([[10080, 20080]]),
        adminPort: 29901,
      }),
    );
    const localRun = run('envoy', ['--mode', 'validate', '-c', rewritten]);
    assert.equal(localRun.code, 0, localRun.output);

    const broken = join(dir, 'broken.yaml');
    writeFileSync(
      broken,
      readFileSync(join(REPO, 'envoy/envoy.yaml'), 'utf8').replace('timeout: 0s', 'timeout: forever'),
    );
    const rejected = run('envoy', ['--mode', 'validate', '-c', broken]);
    assert.notEqual(rejected.code, 0, 'Envoy rejects a broken route timeout');
  });

  it('promtool check config accepts configs/prometheus.yml, as written and rewritten', () => {
    const asWritten = run('promtool', ['check', 'config', join(REPO, 'configs/prometheus.yml')]);
    assert.equal(asWritten.code, 0, asWritten.output);
    assert.match(asWritten.output, /SUCCESS/);
    const rewritten = join(dir, 'prometheus.yml');
    writeFileSync(
      rewritten,
      rewritePrometheusConfig(readFileSync(join(REPO, 'configs/prometheus.yml'), 'utf8'), local, [
        { address: '127.0.0.1:28000', labels: { role: 'both' } },
      ]),
    );
    const localRun = run('promtool', ['check', 'config', rewritten]);
    assert.equal(localRun.code, 0, localRun.output);
  });

  it("the collector's validate accepts configs/otel-collector.yaml (compose and local), and the remote-write overlay", () => {
    const config = join(REPO, 'configs/otel-collector.yaml');
    const compose = run('otelcol-switchyard', ['validate', '--config', config], {
      OTELCOL_HOST: '0.0.0.0',
      PHOENIX_HOST: 'phoenix',
    });
    assert.equal(compose.code, 0, compose.output);
    const localRun = run('otelcol-switchyard', ['validate', '--config', config]);
    assert.equal(localRun.code, 0, localRun.output);
    const overlay = run('otelcol-switchyard', [
      'validate',
      '--config',
      config,
      '--config',
      join(REPO, 'configs/otel-collector.remote-write.yaml'),
    ]);
    assert.equal(overlay.code, 0, overlay.output);

    const broken = join(dir, 'collector.yaml');
    writeFileSync(
      broken,
      readFileSync(config, 'utf8').replace('exporters: [prometheus, debug]', 'exporters: [prometheus, nope]'),
    );
    assert.notEqual(run('otelcol-switchyard', ['validate', '--config', broken]).code, 0);
  });
});
