/**
 * Envoy matches `RegularExpression` headers with RE2, as a full match. This translates an
 * RE2 pattern into an equivalent JavaScript RegExp anchored at both ends, or explains why
 * it cannot:
 *
 * - translated: leading flags `(?i)` `(?s)` `(?m)`; `(?P<name>...)`; `\A` and `\z`;
 *   `\Q...\E`; `\x{10FFFF}`; octal `\123`; `\a`; `\pL` and `\p{Greek}`; POSIX classes
 *   like `[[:alpha:]]`; escaped punctuation (`\#`); RE2's ASCII `\s`; a `]` first in a
 *   class; lone `{`, `}` and `]` (literals in RE2).
 * - rejected, as RE2 rejects them: lookarounds, backreferences (`\1`), `\C`, `\Z`, repetition
 *   counts over 1000.
 * - rejected, because JavaScript cannot express them here: flags after the start or
 *   scoped to a group (`a(?i)b`, `(?i:b)`), `(?U)`, negated POSIX classes (`[[:^alpha:]]`).
 *
 * Inputs are model names, so the small remaining differences (`.` also stops at `\r` and
 * U+2028/9 in JavaScript) do not matter in practice.
 */

/** Why an RE2 pattern could not be translated. */
export class Re2Error extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Re2Error';
  }
}

/** The RE2 `pattern` as a JavaScript RegExp matching whole strings only. */
export function compileRe2(pattern: string): RegExp {
  const { source, flags } = translateRe2(pattern);
  try {
    return new RegExp(`^(?:${source})$`, `u${flags}`);
  } catch (err) {
    throw new Re2Error(
      `invalid regular expression: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`,
    );
  }
}

const SYNTAX = new Set('^$\\.*+?()[]{}|/');
const CLASS_SYNTAX = new Set('\\]^-[');
const QUANTIFIER = /^\{(\d+)(,(\d*))?\}/;
const MAX_REPEAT = 1000;
const RE2_SPACE = '\\t\\n\\f\\r ';
const POSIX: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};
/** Unicode general categories JavaScript accepts bare; other `\p{X}` names are scripts. */
const CATEGORIES = new Set(
  'C Cc Cf Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs'.split(
    ' ',
  ),
);

/** The JavaScript source (unanchored) and flags for an RE2 pattern. */
export function translateRe2(pattern: string): { source: string; flags: string } {
  return new Translator(pattern).run();
}

class Translator {
  private i = 0;
  private out = '';
  private flags = '';

  constructor(private readonly p: string) {}

  run(): { source: string; flags: string } {
    this.leadingFlags();
    while (this.i < this.p.length) this.atom();
    return { source: this.out, flags: this.flags };
  }

  private leadingFlags(): void {
    for (;;) {
      const m = /^\(\?([a-zA-Z]+)\)/.exec(this.p.slice(this.i));
      if (!m) return;
      for (const flag of m[1]!) {
        if (flag === 'U') throw new Re2Error('the ungreedy flag (?U) is not supported');
        if (!'ism'.includes(flag)) throw new Re2Error(`unknown flag "${flag}" in "${m[0]}"`);
        if (!this.flags.includes(flag)) this.flags += flag;
      }
      this.i += m[0].length;
    }
  }

  private atom(): void {
    const c = this.p[this.i]!;
    switch (c) {
      case '\\':
        this.out += this.escape(false);
        return;
      case '[':
        this.charClass();
        return;
      case '(':
        this.group();
        return;
      case '{': {
        const m = QUANTIFIER.exec(this.p.slice(this.i));
        if (m) {
          const counts = [m[1], m[3]].filter((n) => n !== undefined && n !== '').map(Number);
          if (counts.some((n) => n > MAX_REPEAT)) {
            throw new Re2Error(`repetition count in "${m[0]}" is over RE2's limit of ${MAX_REPEAT}`);
          }
          this.out += m[0];
          this.i += m[0].length;
        } else {
          this.out += '\\{';
          this.i++;
        }
        return;
      }
      case '}':
      case ']':
        this.out += `\\${c}`;
        this.i++;
        return;
      default:
        this.out += c;
        this.i++;
    }
  }

  private group(): void {
    const rest = this.p.slice(this.i);
    const named = /^\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest);
    if (named) {
      this.out += `(?<${named[1]}>`;
      this.i += named[0].length;
      return;
    }
    if (rest.startsWith('(?:')) {
      this.out += '(?:';
      this.i += 3;
      return;
    }
    if (/^\(\?<?[=!]/.test(rest)) throw new Re2Error('lookahead and lookbehind are not RE2 syntax');
    if (/^\(\?[a-zA-Z-]*:/.test(rest)) {
      throw new Re2Error(
        `flags scoped to a group ("${rest.slice(0, rest.indexOf(':') + 1)}") are not supported`,
      );
    }
    if (/^\(\?[a-zA-Z-]+\)/.test(rest)) {
      throw new Re2Error('inline flags like (?i) are only supported at the very start of the pattern');
    }
    if (rest.startsWith('(?')) throw new Re2Error(`unsupported group syntax "${rest.slice(0, 3)}"`);
    this.out += '(';
    this.i++;
  }

  private charClass(): void {
    this.out += '[';
    this.i++;
    if (this.p[this.i] === '^') {
      this.out += '^';
      this.i++;
    }
    // A `]` right after `[` or `[^` is a literal in RE2.
    if (this.p[this.i] === ']') {
      this.out += '\\]';
      this.i++;
    }
    for (;;) {
      const c = this.p[this.i];
      if (c === undefined) throw new Re2Error('missing closing "]"');
      if (c === ']') {
        this.out += ']';
        this.i++;
        return;
      }
      if (c === '[' && this.p[this.i + 1] === ':') {
        const m = /^\[:(\^?)([a-z]+):\]/.exec(this.p.slice(this.i));
        if (m) {
          if (m[1]) throw new Re2Error(`negated POSIX class "${m[0]}" is not supported`);
          const range = POSIX[m[2]!];
          if (!range) throw new Re2Error(`unknown POSIX class "${m[0]}"`);
          this.out += range;
          this.i += m[0].length;
          continue;
        }
      }
      if (c === '\\') {
        this.out += this.escape(true);
        continue;
      }
      this.out += c === '[' ? '\\[' : c;
      this.i++;
    }
  }

  /** Translates the escape at `this.i` (a backslash), inside a class or not. */
  private escape(inClass: boolean): string {
    const c = this.p[this.i + 1];
    if (c === undefined) throw new Re2Error('trailing backslash');
    this.i += 2;
    switch (c) {
      case 'd':
      case 'D':
      case 'w':
      case 'W':
      case 'f':
      case 'n':
      case 'r':
      case 't':
      case 'v':
        return `\\${c}`;
      case 'b':
      case 'B':
        if (inClass) throw new Re2Error(`\\${c} is not allowed inside a character class`);
        return `\\${c}`;
      case 's':
        return inClass ? RE2_SPACE : `[${RE2_SPACE}]`;
      case 'S':
        return inClass ? '\\S' : `[^${RE2_SPACE}]`;
      case 'a':
        return '\\x07';
      case 'A':
        if (inClass) throw new Re2Error('\\A is not allowed inside a character class');
        return '(?<![\\s\\S])';
      case 'z':
        if (inClass) throw new Re2Error('\\z is not allowed inside a character class');
        return '(?![\\s\\S])';
      case 'Z':
        throw new Re2Error('\\Z is not RE2 syntax (use \\z)');
      case 'C':
        throw new Re2Error('\\C (any byte) is not supported');
      case 'Q':
        return this.quoted(inClass);
      case 'E':
        return '';
      case 'x':
        return this.hex();
      case 'p':
      case 'P':
        return this.unicodeClass(c);
      default:
        break;
    }
    if (/[0-7]/.test(c)) {
      // RE2: `\1`..`\7` alone would be a backreference (unsupported); with more digits, octal.
      if (c !== '0' && !/[0-7]/.test(this.p[this.i] ?? '')) {
        throw new Re2Error(`backreferences like "\\${c}" are not RE2 syntax`);
      }
      const m = /^[0-7]{0,2}/.exec(this.p.slice(this.i))!;
      this.i += m[0].length;
      return codePoint(Number.parseInt(c + m[0], 8));
    }
    if (/[0-9A-Za-z]/.test(c)) throw new Re2Error(`unknown escape "\\${c}"`);
    // Escaped punctuation is a literal in RE2; JavaScript's unicode mode allows fewer escapes.
    if (inClass) return CLASS_SYNTAX.has(c) ? `\\${c}` : c;
    return SYNTAX.has(c) ? `\\${c}` : c;
  }

  private quoted(inClass: boolean): string {
    const end = this.p.indexOf('\\E', this.i);
    const literal = this.p.slice(this.i, end < 0 ? undefined : end);
    this.i = end < 0 ? this.p.length : end + 2;
    const special = inClass ? CLASS_SYNTAX : SYNTAX;
    return [...literal].map((ch) => (special.has(ch) ? `\\${ch}` : ch)).join('');
  }

  private hex(): string {
    const rest = this.p.slice(this.i);
    const braced = /^\{([0-9A-Fa-f]{1,6})\}/.exec(rest);
    const plain = /^[0-9A-Fa-f]{2}/.exec(rest);
    const m = braced ?? plain;
    if (!m) throw new Re2Error('bad \\x escape: expected \\xHH or \\x{H...}');
    this.i += m[0].length;
    const value = Number.parseInt(braced ? braced[1]! : m[0], 16);
    if (value > 0x10ffff) throw new Re2Error(`\\x{${m[1]}} is beyond Unicode`);
    return codePoint(value);
  }

  private unicodeClass(c: 'p' | 'P'): string {
    let negated = c === 'P';
    let name: string;
    if (this.p[this.i] === '{') {
      const end = this.p.indexOf('}', this.i);
      if (end < 0) throw new Re2Error(`missing "}" after \\${c}{`);
      name = this.p.slice(this.i + 1, end);
      this.i = end + 1;
      if (name.startsWith('^')) {
        negated = !negated;
        name = name.slice(1);
      }
    } else {
      name = this.p[this.i] ?? '';
      this.i++;
    }
    if (!/^[A-Za-z_]+$/.test(name)) throw new Re2Error(`bad Unicode class name "${name}"`);
    const property = name === 'Any' ? 'Any' : CATEGORIES.has(name) ? name : `Script=${name}`;
    return `\\${negated ? 'P' : 'p'}{${property}}`;
  }
}

function codePoint(value: number): string {
  return `\\u{${value.toString(16).toUpperCase()}}`;
}
