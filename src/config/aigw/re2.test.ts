import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileRe2, Re2Error } from './re2.js';

/** [RE2 pattern, strings it must fully match, strings it must not match]. */
const MATCHING: [pattern: string, yes: string[], no: string[]][] = [
  ['.*', ['', 'gpt-4o', 'any/thing'], []],
  ['gpt-4o', ['gpt-4o'], ['gpt-4o-mini', 'xgpt-4o']],
  ['gpt-.*', ['gpt-4o', 'gpt-'], ['chatgpt-4o']],
  // Full match, not a leftmost match: `a|ab` must accept "ab".
  ['a|ab', ['a', 'ab'], ['abc']],
  ['^llama.*$', ['llama3'], ['my-llama']],
  ['(?i)GPT-4o', ['gpt-4o', 'GPT-4O'], ['gpt-5']],
  ['(?s)a.b', ['a\nb'], []],
  ['(?P<family>qwen)[0-9.]+', ['qwen2.5', 'qwen3'], ['qwen']],
  ['\\Aqwen\\z', ['qwen'], ['qwen3']],
  ['\\Qgpt-4.1\\E', ['gpt-4.1'], ['gpt-4x1']],
  ['org/\\Qa+b\\E', ['org/a+b'], ['org/aab']],
  ['[[:alpha:]]+-[[:digit:]]{1,3}', ['gpt-4', 'abc-123'], ['gpt-1234', '4-4']],
  ['[]a]+', [']a]'], ['b']],
  ['[^]a]', ['b'], [']', 'a']],
  ['model\\#1', ['model#1'], []],
  ['a\\-b', ['a-b'], []],
  ['x\\x{41}\\x42', ['xAB'], []],
  ['\\101', ['A'], []],
  ['\\pL+', ['héllo'], ['h3llo']],
  ['\\p{Greek}+', ['αβγ'], ['abc']],
  ['\\P{L}+', ['123'], ['a']],
  ['a\\sb', ['a b', 'a\tb'], ['a\u00a0b']],
  ['a{2}', ['aa'], ['a', 'aaa']],
  ['a{,2}', ['a{,2}'], ['aa']],
  ['a}', ['a}'], []],
  ['a]', ['a]'], []],
  ['claude-3-(opus|sonnet)-.+', ['claude-3-opus-2024'], ['claude-3-haiku-x']],
];

describe('compileRe2', () => {
  for (const [pattern, yes, no] of MATCHING) {
    it(`${pattern} matches whole strings as RE2 does`, () => {
      const re = compileRe2(pattern);
      for (const s of yes) assert.ok(fullMatch(re, s), `${pattern} should match ${JSON.stringify(s)}`);
      for (const s of no) assert.ok(!fullMatch(re, s), `${pattern} should not match ${JSON.stringify(s)}`);
    });
  }

  const REJECTED: [pattern: string, reason: RegExp][] = [
    ['(?=a)a', /lookahead and lookbehind are not RE2 syntax/],
    ['(?<!a)b', /lookahead and lookbehind are not RE2 syntax/],
    ['(a)\\1', /backreferences like "\\1" are not RE2 syntax/],
    ['a(?i)b', /only supported at the very start/],
    ['(?i:a)b', /flags scoped to a group \("\(\?i:"\) are not supported/],
    ['(?U)a+', /ungreedy flag/],
    ['[[:^alpha:]]', /negated POSIX class/],
    ['[[:nope:]]', /unknown POSIX class/],
    ['a{1001}', /over RE2's limit of 1000/],
    ['\\C', /any byte/],
    ['a\\Z', /not RE2 syntax/],
    ['\\q', /unknown escape "\\q"/],
    ['[abc', /missing closing "\]"/],
    ['(abc', /invalid regular expression/],
    ['a**', /invalid regular expression/],
    ['\\p{NotAScript}', /invalid regular expression/],
    ['abc\\', /trailing backslash/],
  ];
  for (const [pattern, reason] of REJECTED) {
    it(`rejects ${pattern} with a reason`, () => {
      assert.throws(
        () => compileRe2(pattern),
        (err: unknown) => err instanceof Re2Error && reason.test(err.message),
      );
    });
  }
});

function fullMatch(re: RegExp, s: string): boolean {
  const m = re.exec(s);
  return m !== null && m.index === 0 && m[0].length === s.length;
}
