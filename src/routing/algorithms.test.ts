import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { testDeps } from '../../test/helpers/router-contract.js';
import { GatewayError } from '../api/errors.js';
import { algorithmProblem, knownAlgorithms, RouterTable } from './algorithms.js';

describe('algorithm table', () => {
  it('knows every AIBrix algorithm by its AIBrix name', () => {
    assert.deepEqual(knownAlgorithms().sort(), [
      'least-kv-cache',
      'least-latency',
      'least-request',
      'pd',
      'prefix-cache',
      'random',
      'session-affinity',
      'throughput',
    ]);
  });

  it('keeps one shared instance per algorithm', () => {
    const table = new RouterTable(testDeps());
    assert.equal(table.get('prefix-cache'), table.get('prefix-cache'));
    for (const name of knownAlgorithms()) assert.equal(table.get(name).name, name);
  });

  it('accepts weighted combinations as AIBrix writes them', () => {
    const table = new RouterTable(testDeps());
    assert.equal(table.get('prefix-cache:2,least-request:1').name, 'prefix-cache:2,least-request:1');
    assert.equal(table.get('least-request,throughput:0.5').name, 'least-request:1,throughput:0.5');
    assert.equal(
      table.get('least-request:1,throughput:0').name,
      'least-request:1',
      'weight 0 leaves a part out',
    );
  });

  it('rejects bad names and combinations with a reason (a 400 on the request path)', () => {
    const cases: [string, RegExp][] = [
      ['telepathy', /^unknown routing algorithm "telepathy" \(known: .*least-request.*\)$/],
      ['prefix-cache:2,telepathy:1', /unknown routing algorithm "telepathy" in/],
      ['prefix-cache:x', /bad weight "x" for "prefix-cache"/],
      ['prefix-cache:-1', /bad weight "-1"/],
      ['prefix-cache:', /bad weight ""/],
      ['random:1,least-request:1', /"random" cannot be part of a weighted combination/],
      ['pd:1', /"pd" cannot be part/],
      ['least-request:0', /gives no algorithm a weight above 0/],
      ['least-request:1,least-request:2', /"least-request" appears twice/],
      ['least-request:1:2', /expected NAME or NAME:WEIGHT/],
    ];
    const table = new RouterTable(testDeps());
    for (const [name, problem] of cases) {
      assert.match(algorithmProblem(name) ?? '', problem, name);
      assert.throws(
        () => table.get(name),
        (err: unknown) =>
          err instanceof GatewayError &&
          err.status === 400 &&
          err.code === 'unknown_routing_strategy' &&
          err.param === 'routing-strategy',
        name,
      );
    }
  });
});
