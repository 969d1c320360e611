import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readable } from './otel-diag.js';

describe('readable', () => {
  it("turns an exporter's JSON error into one line without the stack", () => {
    const json = JSON.stringify({
      stack: 'OTLPExporterError: Unsupported Media Type\n    at IncomingMessage.<anonymous> (x.js:75:35)',
      message: 'Unsupported Media Type',
      code: '415',
      name: 'OTLPExporterError',
    });
    assert.equal(readable(json), 'OTLPExporterError: Unsupported Media Type (code 415)');
    assert.equal(
      readable('{"message":"connect ECONNREFUSED 127.0.0.1:1"}'),
      'connect ECONNREFUSED 127.0.0.1:1',
    );
  });

  it('leaves other messages alone', () => {
    assert.equal(readable('items to be sent [1]'), 'items to be sent [1]');
    assert.equal(readable('{not json'), '{not json');
    assert.equal(readable('{"a":1}'), '{"a":1}');
  });
});
