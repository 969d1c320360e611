// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the syntax under test, not a template
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SubstitutionError, substituteEnv } from './envsubst.js';

const env = { SET: 'value', EMPTY: '', HOST: 'example.com', OTHER: 'other' };

describe('substituteEnv', () => {
  const cases: [input: string, expected: string][] = [
    ['plain text', 'plain text'],
    ['${SET}', 'value'],
    ['$SET', 'value'],
    ['$SET/path and ${SET}x', 'value/path and valuex'],
    ['${UNSET}', ''],
    ['$UNSET', ''],
    ['${SET-d}', 'value'],
    ['${EMPTY-d}', ''],
    ['${UNSET-d}', 'd'],
    ['${SET:-d}', 'value'],
    ['${EMPTY:-d}', 'd'],
    ['${UNSET:-d}', 'd'],
    ['${EMPTY=d}', ''],
    ['${UNSET=d}', 'd'],
    ['${EMPTY:=d}', 'd'],
    ['${UNSET:=d} then ${UNSET}', 'd then '],
    ['${SET+alt}', 'alt'],
    ['${EMPTY+alt}', 'alt'],
    ['${UNSET+alt}', ''],
    ['${SET:+alt}', 'alt'],
    ['${EMPTY:+alt}', 'alt'],
    ['${UNSET:+alt}', ''],
    ['${UNSET:-$OTHER}', 'other'],
    ['${UNSET:-${OTHER}}', 'other'],
    ['${UNSET:-http://${HOST}:8080/v1}', 'http://example.com:8080/v1'],
    ['${UNSET:-${UNSET2:-deep}}', 'deep'],
    ['${UNSET:-a b: c}', 'a b: c'],
    ['$$SET', '$SET'],
    ['$${SET}', '${SET}'],
    ['price $5', 'price '],
    ['^gpt-.*$', '^gpt-.*$'],
    ['a $ b', 'a $ b'],
    ['$_ stays', '$_ stays'],
    ['${} stays', '${} stays'],
    ['${ SET}', '${ SET}'],
    ['end$', 'end$'],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)} -> ${JSON.stringify(expected)}`, () => {
      assert.equal(substituteEnv(input, env).text, expected);
    });
  }

  it('reports unset variables used without a default, once, with their first line', () => {
    const result = substituteEnv('a: ${KEY}\nb: $KEY\nc: ${OPT:-x}\nd: ${SET}\ne: $OTHER_UNSET', env);
    assert.deepEqual(result.unset, [
      { name: 'KEY', line: 1 },
      { name: 'OTHER_UNSET', line: 5 },
    ]);
  });

  it('rejects an unclosed ${ with its line', () => {
    assert.throws(
      () => substituteEnv('a: 1\nb: ${SET:-oops\nc: 2', env),
      (err: unknown) =>
        err instanceof SubstitutionError && err.line === 2 && /closing brace expected/.test(err.message),
    );
  });

  it('rejects operators aigw does not support, naming the supported ones', () => {
    assert.throws(
      () => substituteEnv('x: ${SET?required}', env),
      (err: unknown) =>
        err instanceof SubstitutionError &&
        err.line === 1 &&
        /unsupported substitution "\$\{SET\?required}"/.test(err.message),
    );
  });
});
