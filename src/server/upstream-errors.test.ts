import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RETRY_CONDITIONS } from '../config/model.js';
import { UpstreamError, type UpstreamFailureKind } from '../proxy/upstream-error.js';
import { isRetriable } from './upstream-errors.js';

describe('isRetriable', () => {
  const before = (kind: UpstreamFailureKind) => new UpstreamError(kind, 'a:1', true);

  it('follows --retry-on, kind by kind', () => {
    const table: [UpstreamFailureKind, string | undefined][] = [
      ['connect', 'connect'],
      ['connect_timeout', 'connect'],
      ['reset', 'reset'],
      ['server_error', '5xx'],
      // The engine may be computing: waiting again elsewhere would double the wait.
      ['first_byte_timeout', undefined],
      ['request_timeout', undefined],
      ['idle_timeout', undefined],
      ['interrupted', undefined],
    ];
    for (const [kind, condition] of table) {
      assert.equal(isRetriable(before(kind), RETRY_CONDITIONS), condition !== undefined, kind);
      for (const only of RETRY_CONDITIONS)
        assert.equal(
          isRetriable(before(kind), [only]),
          condition === only,
          `${kind} with --retry-on ${only}`,
        );
      assert.equal(isRetriable(before(kind), []), false, `${kind} with --retry-on none`);
    }
  });

  it('never once a response byte arrived', () => {
    for (const kind of ['connect', 'reset', 'server_error', 'interrupted'] as const)
      assert.equal(isRetriable(new UpstreamError(kind, 'a:1', false), RETRY_CONDITIONS), false, kind);
  });
});
