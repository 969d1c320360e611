/**
 * Command-line flags on top of `util.parseArgs`: each flag declares its type, default,
 * environment variable and help line once, so parsing, validation and `--help` agree.
 */
import { parseArgs } from 'node:util';
import { parseDuration, parseSize } from '../config/units.js';
import { UsageError } from './usage-error.js';

export type FlagType = 'string' | 'port' | 'int' | 'number' | 'duration' | 'size' | 'boolean' | 'strings';

export interface FlagSpec {
  readonly name: string;
  readonly type: FlagType;
  readonly help: string;
  readonly default?: string | number | boolean;
  readonly env?: string;
  /** Value placeholder shown in help. */
  readonly value?: string;
  /** Allowed values for string flags. */
  readonly choices?: readonly string[];
}

/** `--log-level`, the same for every command that logs. */
export const LOG_LEVEL_FLAG: FlagSpec = {
  name: 'log-level',
  type: 'string',
  env: 'SWITCHYARD_LOG_LEVEL',
  default: 'info',
  value: 'LEVEL',
  choices: ['trace', 'debug', 'info', 'warn', 'error', 'silent'],
  help: 'Log level.',
};

export type FlagValues = Record<string, string | number | boolean | string[] | undefined>;

export interface ParsedCommand {
  readonly flags: FlagValues;
  readonly positionals: string[];
  readonly help: boolean;
  /** Flags the user gave (on the command line or through their env variable), not defaulted. */
  readonly explicit: ReadonlySet<string>;
}

export function parseCommand(
  argv: readonly string[],
  specs: readonly FlagSpec[],
  env: NodeJS.ProcessEnv,
  maxPositionals: number,
): ParsedCommand {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = {
    help: { type: 'boolean' },
  };
  for (const spec of specs) {
    options[spec.name] = {
      type: spec.type === 'boolean' ? 'boolean' : 'string',
      ...(spec.type === 'strings' ? { multiple: true } : {}),
    };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(oneLine((err as Error).message));
  }
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  if (values['help']) return { flags: {}, positionals: parsed.positionals, help: true, explicit: new Set() };
  if (parsed.positionals.length > maxPositionals) {
    throw new UsageError(`unexpected argument "${parsed.positionals[maxPositionals]}"`);
  }
  const flags: FlagValues = {};
  const explicit = new Set<string>();
  for (const spec of specs) {
    const given = values[spec.name];
    const fromEnv = spec.env ? env[spec.env] : undefined;
    const raw = given ?? (fromEnv !== undefined && fromEnv !== '' ? fromEnv : undefined);
    const origin = given !== undefined ? `--${spec.name}` : `${spec.env}`;
    if (raw === undefined) {
      flags[spec.name] = spec.default;
      continue;
    }
    explicit.add(spec.name);
    if (spec.type === 'strings') {
      flags[spec.name] = Array.isArray(raw) ? raw : [String(raw)];
      continue;
    }
    if (spec.type === 'boolean') {
      flags[spec.name] = typeof raw === 'boolean' ? raw : /^(1|true|yes|on)$/i.test(String(raw));
      continue;
    }
    flags[spec.name] = convert(spec, String(raw), origin);
  }
  return { flags, positionals: parsed.positionals, help: false, explicit };
}

function convert(spec: FlagSpec, raw: string, origin: string): string | number {
  const bad = (why: string) => new UsageError(`invalid value "${raw}" for ${origin}: ${why}`);
  switch (spec.type) {
    case 'string':
      if (!raw.trim()) throw bad('must not be empty');
      if (spec.choices && !spec.choices.includes(raw))
        throw bad(`expected one of ${spec.choices.join(', ')}`);
      return raw;
    case 'port': {
      if (!/^\d+$/.test(raw) || Number(raw) > 65535) throw bad('expected a port number 0-65535');
      return Number(raw);
    }
    case 'int':
      if (!/^-?\d+$/.test(raw)) throw bad('expected an integer');
      return Number(raw);
    case 'number':
      if (!Number.isFinite(Number(raw)) || raw.trim() === '') throw bad('expected a number');
      return Number(raw);
    case 'duration': {
      const ms = /^\d+$/.test(raw) ? Number(raw) : parseDuration(raw);
      if (ms === undefined) throw bad('expected a duration like 500ms, 30s or 5m');
      return ms;
    }
    case 'size': {
      const bytes = parseSize(raw);
      if (bytes === undefined || bytes <= 0) throw bad('expected a size like 1048576, 10MB or 50Mi');
      return bytes;
    }
    default:
      return raw;
  }
}

function oneLine(text: string): string {
  return text.split('\n')[0]!.replace(/\. To specify a positional argument.*$/, '');
}

export function formatHelp(usage: string, summary: string, specs: readonly FlagSpec[], footer = ''): string {
  const rows = specs.map((spec) => {
    const left = `  --${spec.name}${spec.type === 'boolean' ? '' : ` ${spec.value ?? spec.type.toUpperCase()}`}`;
    const extras = [
      spec.default !== undefined && spec.default !== '' ? `default ${spec.default}` : '',
      spec.env ? `env ${spec.env}` : '',
    ].filter(Boolean);
    return [left, spec.help + (extras.length ? ` (${extras.join('; ')})` : '')] as const;
  });
  rows.push(['  --help', 'Show this help.']);
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  const lines = rows.map(([l, r]) => l.padEnd(width) + r);
  return `Usage: ${usage}\n\n${summary}\n\nOptions:\n${lines.join('\n')}\n${footer ? `\n${footer}\n` : ''}`;
}
