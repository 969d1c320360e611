/** The reliability flags of `switchyard run`: documented in --help and the README, bad values refused. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { RELIABILITY_FLAGS } from '../src/cli/reliability-flags.js';
import { runCli } from './helpers/gateway-process.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('reliability flags', () => {
  it('are all in --help and in the README', async () => {
    const { code, stdout } = await runCli(['run', '--help']);
    assert.equal(code, 0);
    for (const flag of RELIABILITY_FLAGS) {
      assert.match(stdout, new RegExp(`--${flag.name}\\b`), flag.name);
      assert.ok(README.includes(`--${flag.name}`), `README documents --${flag.name}`);
    }
    assert.match(stdout, /SIGHUP/);
  });

  const bad: [string[], RegExp][] = [
    [
      ['--retry-on', 'connect,timeouts'],
      /--retry-on: expected a comma-separated list of connect, reset, 5xx, or none/,
    ],
    [['--max-concurrent-requests=-1'], /--max-concurrent-requests: must be at least 0/],
    [['--max-requests-per-endpoint', 'many'], /--max-requests-per-endpoint: expected an integer/],
    [['--max-header-size', '100'], /--max-header-size: must be at least 1024/],
    [['--request-read-timeout', 'never'], /--request-read-timeout: expected a duration/],
    [['--eject-after-failures', '0'], /--eject-after-failures: must be at least 1/],
    [
      ['--ejection-time', '10s', '--max-ejection-time', '5s'],
      /--max-ejection-time must be at least --ejection-time/,
    ],
    [['--health-check-path', 'health'], /--health-check-path: expected a path like \/health/],
    [['--healthy-threshold', '0'], /--healthy-threshold: must be at least 1/],
  ];
  for (const [args, message] of bad) {
    it(`exits 2 with one line for ${args.join(' ')}`, async () => {
      const { code, stderr } = await runCli(['run', ...args]);
      assert.equal(code, 2);
      assert.match(stderr, message);
      assert.equal(stderr.trim().split('\n').length, 1);
    });
  }
});
