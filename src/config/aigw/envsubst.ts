// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the syntax under test, not a template
/**
 * Environment substitution applied to an Envoy AI Gateway config file before it is parsed,
 * with the forms `aigw run` accepts (it uses the a8m/envsubst library):
 *
 * | form              | value                                                   |
 * | ----------------- | ------------------------------------------------------- |
 * | `$VAR`, `${VAR}`  | the variable, or empty when unset                       |
 * | `${VAR-word}`     | `word` when VAR is unset                                |
 * | `${VAR:-word}`    | `word` when VAR is unset or empty                       |
 * | `${VAR=word}`     | as `${VAR-word}` (like aigw, nothing is assigned)       |
 * | `${VAR:=word}`    | as `${VAR:-word}` (like aigw, nothing is assigned)      |
 * | `${VAR+word}`     | `word` when VAR is set (even empty), else empty         |
 * | `${VAR:+word}`    | same as `${VAR+word}`, as in aigw                       |
 * | `$$`              | a literal `$`                                           |
 *
 * `word` may itself reference variables (`${A:-$B}`, `${A:-http://${HOST}:80}`). A `$` not
 * followed by a name or `{name` stays as it is, so regexes like `^gpt-.*$` are safe; write
 * `$$` where a literal `$` is followed by letters. Other operators (`${VAR?msg}`, ...) and
 * an unclosed `${` are errors that give the line they are on.
 */

export interface SubstitutionResult {
  readonly text: string;
  /** Variables referenced without a default that are not set, with the line of first use. */
  readonly unset: readonly { readonly name: string; readonly line: number }[];
}

export class SubstitutionError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
    this.name = 'SubstitutionError';
  }
}

const NAME_CHAR = /[\p{L}\p{N}_]/u;
const OPERATORS = [':-', ':=', ':+', '-', '=', '+'] as const;
type Operator = (typeof OPERATORS)[number];

/** Substitutes `env` into `text`; throws `SubstitutionError` for malformed expressions. */
export function substituteEnv(text: string, env: NodeJS.ProcessEnv): SubstitutionResult {
  return new Substitution(text, env).run();
}

class Substitution {
  private readonly unset = new Map<string, number>();

  constructor(
    private readonly text: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  run(): SubstitutionResult {
    const out = this.expand(0, this.text.length);
    return { text: out, unset: [...this.unset].map(([name, line]) => ({ name, line })) };
  }

  /** Expands `text[from, to)`. */
  private expand(from: number, to: number): string {
    const { text } = this;
    let out = '';
    let i = from;
    while (i < to) {
      const dollar = text.indexOf('$', i);
      if (dollar < 0 || dollar >= to) {
        out += text.slice(i, to);
        break;
      }
      out += text.slice(i, dollar);
      const next = dollar + 1 < to ? text[dollar + 1] : undefined;
      if (next === '$') {
        out += '$';
        i = dollar + 2;
      } else if (next === '{') {
        const parsed = this.braced(dollar);
        out += parsed.value;
        i = parsed.end;
      } else {
        const nameEnd = scanName(text, dollar + 1, to);
        const name = text.slice(dollar + 1, nameEnd);
        if (!name || name === '_') {
          out += '$';
          i = dollar + 1;
        } else {
          out += this.lookup(name, dollar);
          i = nameEnd;
        }
      }
    }
    return out;
  }

  /** Parses `${...}` starting at `start` (the `$`): its value and the index after it. */
  private braced(start: number): { value: string; end: number } {
    const { text } = this;
    const nameStart = start + 2;
    const nameEnd = scanName(text, nameStart, text.length);
    const name = text.slice(nameStart, nameEnd);
    // Like aigw, `${` that does not start a name (`${}`, `${ x}`) is plain text.
    if (!name) return { value: '${', end: nameStart };
    if (text[nameEnd] === '}') return { value: this.lookup(name, start), end: nameEnd + 1 };
    const operator = OPERATORS.find((op) => text.startsWith(op, nameEnd));
    const wordStart = nameEnd + (operator?.length ?? 0);
    const close = closingBrace(text, wordStart);
    if (close < 0) {
      throw new SubstitutionError(lineAt(text, start), `closing brace expected for "\${${name}"`);
    }
    if (!operator) {
      const shown = text.slice(start, Math.min(close + 1, start + 40));
      throw new SubstitutionError(
        lineAt(text, start),
        `unsupported substitution "${shown}": use \${VAR}, \${VAR-default}, \${VAR:-default}, ` +
          `\${VAR=default}, \${VAR:=default}, \${VAR+alt} or \${VAR:+alt}`,
      );
    }
    const value = this.env[name];
    const word = () => this.expand(wordStart, close);
    return { value: apply(operator, value, word), end: close + 1 };
  }

  private lookup(name: string, offset: number): string {
    const value = this.env[name];
    if (value !== undefined) return value;
    if (!this.unset.has(name)) this.unset.set(name, lineAt(this.text, offset));
    return '';
  }
}

function apply(operator: Operator, value: string | undefined, word: () => string): string {
  switch (operator) {
    case '-':
    case '=':
      return value === undefined ? word() : value;
    case ':-':
    case ':=':
      return value ? value : word();
    case '+':
    case ':+':
      return value === undefined ? '' : word();
  }
}

function scanName(text: string, from: number, to: number): number {
  let i = from;
  while (i < to && NAME_CHAR.test(text[i]!)) i++;
  return i;
}

/** Index of the `}` closing a word that starts at `from`, skipping nested `${...}`; -1 if none on the line. */
function closingBrace(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === '\n' || c === '\r') return -1;
    if (c === '$' && (text[i + 1] === '$' || text[i + 1] === '{')) {
      if (text[i + 1] === '{') depth++;
      i++;
    } else if (c === '}') {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}
