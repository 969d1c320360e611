/** The command line: help, bad flags and values, config validation messages. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { writeTempFile } from './helpers/files.js';
import { runCli } from './helpers/gateway-process.js';

describe('switchyard CLI', () => {
  it('documents every run flag in --help', async () => {
    const { code, stdout } = await runCli(['run', '--help']);
    assert.equal(code, 0);
    for (const flag of [
      '--endpoints-config',
      '--port',
      '--admin-port',
      '--host',
      '--routing-algorithm',
      '--max-body-size',
      '--drain-timeout',
    ]) {
      assert.ok(stdout.includes(flag), flag);
    }
    assert.match(stdout, /default 1975/);
  });

  const usage: [string, string[], RegExp][] = [
    ['an unknown flag', ['run', '--bogus'], /^switchyard: Unknown option '--bogus'\n$/],
    [
      'a bad port',
      ['run', '--port', 'abc'],
      /^switchyard: invalid value "abc" for --port: expected a port number 0-65535\n$/,
    ],
    [
      'a bad duration',
      ['run', '--idle-timeout', 'soon'],
      /^switchyard: invalid value "soon" for --idle-timeout: expected a duration/,
    ],
    [
      'a bad size',
      ['run', '--max-body-size', 'huge'],
      /^switchyard: invalid value "huge" for --max-body-size/,
    ],
    ['an unknown command', ['fly'], /^switchyard: unknown command "fly"/],
    ['a second positional', ['run', 'a.yaml', 'b.yaml'], /^switchyard: unexpected argument "b.yaml"\n$/],
  ];
  for (const [what, args, message] of usage) {
    it(`exits 2 with one line for ${what}`, async () => {
      const { code, stderr } = await runCli(args);
      assert.equal(code, 2);
      assert.match(stderr, message);
    });
  }

  it('rejects an invalid endpoints file at start, naming the file, line, field and problem', async () => {
    const file = writeTempFile(
      'endpoints.yaml',
      'models:\n  - name: m\n    endpoints: ["a:1"]\n    rolesets:\n      - name: r\n',
    );
    const { code, stderr } = await runCli([
      'run',
      '--endpoints-config',
      file,
      '--port',
      '0',
      '--admin-port',
      '0',
    ]);
    assert.equal(code, 1);
    assert.equal(
      stderr,
      `switchyard: config error: ${file}:2: models[0]: set either "endpoints" or "rolesets", not both\n`,
    );
  });

  it('reports a missing endpoints file', async () => {
    const { code, stderr } = await runCli(['run', '--endpoints-config', '/nonexistent/endpoints.yaml']);
    assert.equal(code, 1);
    assert.equal(stderr, 'switchyard: config error: /nonexistent/endpoints.yaml: file not found\n');
  });

  it('names the port and the flag when a port is taken', async () => {
    const file = writeTempFile('endpoints.yaml', 'models:\n  - name: m\n    endpoints: ["127.0.0.1:9"]\n');
    const net = await import('node:net');
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as import('node:net').AddressInfo).port;
    try {
      const { code, stderr } = await runCli([
        'run',
        '--endpoints-config',
        file,
        '--host',
        '127.0.0.1',
        '--port',
        String(port),
        '--admin-port',
        '0',
      ]);
      assert.equal(code, 2);
      assert.equal(
        stderr,
        `switchyard: API port ${port} on 127.0.0.1 is already in use; choose another with --port\n`,
      );
    } finally {
      blocker.close();
    }
  });
});
