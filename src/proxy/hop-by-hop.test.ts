import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { appendForwardedFor, endToEndHeaders } from './hop-by-hop.js';

describe('hop-by-hop hygiene (RFC 9110 §7.6.1)', () => {
  it('drops Connection, the classic hop-by-hop headers and those Connection lists', () => {
    const out = endToEndHeaders(
      {
        connection: 'keep-alive, X-Custom-Hop',
        'keep-alive': 'timeout=5',
        'transfer-encoding': 'chunked',
        te: 'trailers',
        upgrade: 'h2c',
        'proxy-authorization': 'Basic x',
        'x-custom-hop': '1',
        'content-type': 'application/json',
        authorization: 'Bearer client',
      },
      new Set(['authorization']),
    );
    assert.deepEqual(out, { 'content-type': 'application/json' });
  });

  it('appends the peer to X-Forwarded-For', () => {
    assert.equal(appendForwardedFor(undefined, '10.0.0.1'), '10.0.0.1');
    assert.equal(appendForwardedFor('1.1.1.1', '10.0.0.1'), '1.1.1.1, 10.0.0.1');
    assert.equal(appendForwardedFor(['1.1.1.1', '2.2.2.2'], '10.0.0.1'), '1.1.1.1, 2.2.2.2, 10.0.0.1');
  });
});
