import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseWrkReport, wrkScript } from './wrk.js';

describe('wrk script and report', () => {
  it('quotes the body and headers as Lua long strings that their text cannot close', () => {
    const script = wrkScript({
      body: '{"messages":[[1]],"x":"]=]"}',
      headers: { 'content-type': 'application/json', 'x-odd': ']]' },
    });
    assert.match(script, /^wrk\.body = \[==\[\{"messages":\[\[1\]\],"x":"\]=\]"\}\]==\]$/m);
    assert.match(script, /^wrk\.headers\[ \[\[content-type\]\] \] = \[\[application\/json\]\]$/m);
    assert.match(script, /^wrk\.headers\[ \[\[x-odd\]\] \] = \[=\[\]\]\]=\]$/m);
  });

  it('reads the JSON line the done hook printed, latencies in milliseconds', () => {
    const stdout = [
      'Running 5s test @ http://127.0.0.1:1/v1/chat/completions',
      '  1 threads and 10 connections',
      '{"requests":15000,"durationUs":5000000,"errors":2,"p50":2500,"p90":4000,"p99":12345,"max":40000,"mean":2700.5}',
    ].join('\n');
    assert.deepEqual(parseWrkReport(stdout), {
      requests: 15000,
      seconds: 5,
      requestsPerSecond: 3000,
      errors: 2,
      latencyMs: { p50: 2.5, p90: 4, p99: 12.345, max: 40, mean: 2.701 },
    });
  });

  it('says so when wrk printed no report', () => {
    assert.throws(() => parseWrkReport('unable to connect'), /wrk printed no report/);
  });
});
