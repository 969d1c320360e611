/** `switchyard bench` end to end on a tiny, fast run (real sims, real gateways). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from './helpers/files.js';
import { runCli } from './helpers/gateway-process.js';

describe('switchyard bench', () => {
  it('compares algorithms and writes the table, JSON and an SVG chart', async () => {
    const out = tempDir();
    const result = await runCli(
      [
        'bench',
        '--workload',
        'shared-prefix',
        '--algorithm',
        'random',
        '--algorithm',
        'prefix-cache:2,least-request:1',
        '--algorithm',
        'pd',
        '--replicas',
        '2',
        '--requests',
        '8',
        '--rate',
        '20',
        '--time-scale',
        '0.02',
        '--out',
        out,
      ],
      {},
      60_000,
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /### shared-prefix/);
    assert.match(result.stdout, /Perfect-router hit rate: \d+\.\d%/);
    for (const algorithm of ['random', 'prefix-cache:2,least-request:1', 'pd']) {
      assert.match(
        result.stdout,
        new RegExp(`\\| ${algorithm.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} +\\| +8 \\| +0 \\|`),
      );
    }
    const json = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as {
      command: string;
      results: {
        workload: string;
        perfectHitRate: number;
        runs: { algorithm: string; requests: number; errors: number }[];
      }[];
    };
    assert.match(json.command, /^switchyard bench --workload shared-prefix/);
    assert.deepEqual(
      json.results[0]!.runs.map((r) => [r.algorithm, r.requests, r.errors]),
      [
        ['random', 8, 0],
        ['prefix-cache:2,least-request:1', 8, 0],
        ['pd', 8, 0],
      ],
    );
    assert.match(
      readFileSync(join(out, 'chart.svg'), 'utf8'),
      /^<svg [^>]*>[\s\S]*prefix-cache:2,least-request:1[\s\S]*<\/svg>$/,
    );
    assert.match(readFileSync(join(out, 'results.md'), 'utf8'), /\| random /);

    const redrawn = tempDir();
    const render = await runCli(['bench', '--render', join(out, 'results.json'), '--out', redrawn]);
    assert.equal(render.code, 0, render.stderr);
    assert.equal(
      readFileSync(join(redrawn, 'chart.svg'), 'utf8'),
      readFileSync(join(out, 'chart.svg'), 'utf8'),
    );
    assert.equal(
      readFileSync(join(redrawn, 'results.md'), 'utf8'),
      readFileSync(join(out, 'results.md'), 'utf8'),
    );
  });

  it('rejects unknown workloads and algorithms with exit code 2', async () => {
    const badWorkload = await runCli(['bench', '--workload', 'chaos']);
    assert.equal(badWorkload.code, 2);
    assert.match(
      badWorkload.stderr,
      /unknown workload "chaos" \(known: shared-prefix, multi-turn, uniform\)/,
    );
    const badAlgorithm = await runCli(['bench', '--algorithm', 'telepathy']);
    assert.equal(badAlgorithm.code, 2);
    assert.match(badAlgorithm.stderr, /unknown routing algorithm "telepathy"/);
  });
});
