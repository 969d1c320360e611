/**
 * `npm run lab` / `npm run lab:stop` before anything starts: --help lists every option,
 * a bad option exits 2, a taken port is reported (port, component, option) and nothing is
 * started, a missing or bad file is one line, and lab:stop with nothing recorded says so.
 * Starting the whole lab (and a config the real Envoy rejects) is in test/e2e/lab.test.ts.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from './helpers/files.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const RUN_LAB = join(REPO, 'dist/lab/run-lab.js');
const STOP_LAB = join(REPO, 'dist/lab/stop-lab.js');

function run(
  script: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], { env: { ...process.env, ...env }, cwd: REPO });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('npm run lab: options and checks before starting', () => {
  it('--help lists every option, with -e/-c, their long forms and ROUTING_ALGORITHM', async () => {
    const { code, stdout } = await run(RUN_LAB, ['--help']);
    assert.equal(code, 0);
    for (const option of [
      '-e, --endpoints FILE',
      '-c, --envoy-config FILE',
      '--free-ports',
      '--envoy-port N',
      '--envoy-admin-port N',
      '--gateway-port N',
      '--gateway-admin-port N',
      '--phoenix-port N',
      '--phoenix-grpc-port N',
      '--collector-grpc-port N',
      '--collector-http-port N',
      '--collector-health-port N',
      '--collector-metrics-port N',
      '--collector-telemetry-port N',
      '--prometheus-port N',
      '--grafana-port N',
      '--sim-base-port N',
      '--no-traffic',
      '--run-dir DIR',
      '-h, --help',
      'ROUTING_ALGORITHM=least-request npm run lab',
    ]) {
      assert.ok(stdout.includes(option), `--help mentions ${option}`);
    }
  });

  it('exits 2 with one line for an unknown option or a bad port', async () => {
    const unknown = await run(RUN_LAB, ['--bogus']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^npm run lab: Unknown option '--bogus'.*\(see npm run lab -- --help\)\n$/);
    const badPort = await run(RUN_LAB, ['--prometheus-port', '99999']);
    assert.equal(badPort.code, 2);
    assert.equal(
      badPort.stderr,
      'npm run lab: invalid value "99999" for --prometheus-port: expected a port number 1-65535 (see npm run lab -- --help)\n',
    );
  });

  it('reports a taken port with its component and option, and starts nothing', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as net.AddressInfo;
    const runDir = tempDir('switchyard-lab-clash-');
    try {
      const { code, stdout, stderr } = await run(RUN_LAB, [
        '--free-ports',
        '--prometheus-port',
        String(port),
        '--run-dir',
        runDir,
      ]);
      assert.equal(code, 1);
      assert.equal(
        stderr,
        `npm run lab: port ${port} (Prometheus) is already in use; choose another with --prometheus-port N, or --free-ports\nNothing was started.\n`,
      );
      assert.equal(stdout, '');
      assert.equal(existsSync(join(runDir, 'lab.json')), false, 'no process was recorded');
      assert.equal(existsSync(join(runDir, 'logs')), false, 'no log was opened');
    } finally {
      blocker.close();
    }
  });

  it('names the simulator and --sim-base-port when a simulator port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as net.AddressInfo;
    try {
      const { code, stderr } = await run(RUN_LAB, [
        '--free-ports',
        '--sim-base-port',
        String(port - 1),
        '--run-dir',
        tempDir(),
      ]);
      assert.equal(code, 1);
      assert.match(
        stderr,
        new RegExp(
          `^npm run lab: port ${port} \\(simulator sim-8b-2\\) is already in use; choose another with --sim-base-port N, or --free-ports$`,
          'm',
        ),
      );
    } finally {
      blocker.close();
    }
  });

  it('reports two components given the same port', async () => {
    const { code, stderr } = await run(RUN_LAB, [
      '--free-ports',
      '--gateway-port',
      '45321',
      '--envoy-port',
      '45321',
      '--run-dir',
      tempDir(),
    ]);
    assert.equal(code, 1);
    assert.match(
      stderr,
      /port 45321 is given to both Envoy listener and gateway API; change one with --gateway-port N/,
    );
  });

  it('a missing endpoints or Envoy config file is one line, exit 1', async () => {
    const missingEnvoy = await run(RUN_LAB, [
      '--free-ports',
      '-c',
      '/nonexistent/envoy.yaml',
      '--run-dir',
      tempDir(),
    ]);
    assert.equal(missingEnvoy.code, 1);
    assert.equal(
      missingEnvoy.stderr,
      'npm run lab: the Envoy config /nonexistent/envoy.yaml does not exist\n',
    );
    const badEndpoints = join(tempDir(), 'endpoints.yaml');
    writeFileSync(badEndpoints, 'models:\n  - name: m\n    endpoints: ["10.0.0.1:http"]\n');
    const bad = await run(RUN_LAB, ['--free-ports', '--endpoints', badEndpoints, '--run-dir', tempDir()]);
    assert.equal(bad.code, 1);
    assert.match(
      bad.stderr,
      /^npm run lab: config error: .*endpoints\.yaml:3: models\[0\]\.endpoints\[0\]: bad address/,
    );
  });

  it('lab:stop with nothing recorded says so and exits 0', async () => {
    const runDir = tempDir('switchyard-lab-stop-');
    const { code, stdout } = await run(STOP_LAB, ['--run-dir', runDir]);
    assert.equal(code, 0);
    assert.equal(stdout, `Nothing to stop: no lab was started from ${runDir}.\n`);
  });
});
