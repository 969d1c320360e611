import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { writeTempFile } from '../../test/helpers/files.js';
import { ApiKeys, loadApiKeys } from './api-keys.js';
import { ConfigError } from './config-error.js';

describe('ApiKeys', () => {
  it('accepts exactly the listed keys', () => {
    const keys = ApiKeys.of(['alpha-key', 'beta-key', 'alpha-key'], 'test');
    assert.equal(keys.size, 2);
    assert.equal(keys.accepts('alpha-key'), true);
    assert.equal(keys.accepts('beta-key'), true);
    for (const wrong of ['', 'alpha', 'alpha-key ', 'Alpha-key', 'alpha-keyx', 'beta-key\n'])
      assert.equal(keys.accepts(wrong), false, JSON.stringify(wrong));
  });
});

describe('loadApiKeys', () => {
  it('is off when neither a file nor the variable is given', () => {
    assert.equal(loadApiKeys({ env: {} }), undefined);
    assert.equal(loadApiKeys({ env: { SWITCHYARD_API_KEYS: '  ' } }), undefined);
  });

  it("reads one key per line, skipping blanks and comments, and adds the variable's keys", () => {
    const file = writeTempFile('keys', '# team a\nkey-one\r\n\n   key-two  \n# key-old\n');
    const keys = loadApiKeys({ file, env: { SWITCHYARD_API_KEYS: 'key-three, key-four,' } })!;
    assert.equal(keys.size, 4);
    for (const k of ['key-one', 'key-two', 'key-three', 'key-four']) assert.ok(keys.accepts(k), k);
    assert.equal(keys.accepts('key-old'), false);
    assert.equal(keys.accepts('# key-old'), false);
    assert.match(keys.source, /^file .*keys \+ SWITCHYARD_API_KEYS$/);
  });

  it('refuses malformed and empty sources, naming the line but never the key', () => {
    const cases: [Parameters<typeof loadApiKeys>[0], RegExp][] = [
      [
        { file: writeTempFile('keys', 'good\nhas space inside\n'), env: {} },
        /keys:2: a key may only contain/,
      ],
      [{ file: writeTempFile('keys', 'tab\there\n'), env: {} }, /keys:1: /],
      [{ file: writeTempFile('keys', '\n# none\n'), env: {} }, /lists no key/],
      [{ file: '/nonexistent/keys', env: {} }, /cannot read the API keys file \(ENOENT\)/],
      [{ env: { SWITCHYARD_API_KEYS: 'ok,é-key' } }, /SWITCHYARD_API_KEYS: key 2: /],
      [{ env: { SWITCHYARD_API_KEYS: ',,' } }, /SWITCHYARD_API_KEYS: lists no key/],
    ];
    for (const [sources, message] of cases) {
      assert.throws(
        () => loadApiKeys(sources),
        (err: unknown) => {
          assert.ok(err instanceof ConfigError);
          assert.match(err.message, message);
          assert.ok(!/has space inside|é-key|tab\there/.test(err.message), 'the key is not quoted');
          return true;
        },
      );
    }
  });
});
