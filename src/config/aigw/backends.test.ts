import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizePrefix, useTls } from './backends.js';

describe('the TLS decision for a Backend endpoint', () => {
  const cases: [policy: boolean, port: number, tls: boolean][] = [
    [false, 80, false],
    [false, 8000, false],
    [false, 443, true], // aigw would speak plain HTTP to 443 without a BackendTLSPolicy
    [true, 8443, true],
    [true, 80, true],
  ];
  for (const [policy, port, tls] of cases) {
    it(`policy=${policy} port=${port} -> ${tls ? 'TLS' : 'plain'}`, () =>
      assert.equal(useTls(policy, port), tls));
  }
});

describe('OpenAI schema prefix, joined as aigw joins it', () => {
  const cases: [prefix: string, expected: string][] = [
    ['v1', '/v1'],
    ['/v1', '/v1'],
    ['/v1/', '/v1'],
    ['api/v1', '/api/v1'],
    ['/v1beta/openai', '/v1beta/openai'],
    ['/', ''],
    ['', ''],
  ];
  for (const [prefix, expected] of cases) {
    it(`${JSON.stringify(prefix)} -> ${JSON.stringify(expected)}`, () =>
      assert.equal(normalizePrefix(prefix), expected));
  }
});
