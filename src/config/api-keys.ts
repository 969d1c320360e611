/**
 * Client API keys: the keys a client must present to use the gateway, loaded from a file
 * (`--api-keys-file`, one key per line) and/or the `SWITCHYARD_API_KEYS` variable
 * (comma-separated). Only SHA-256 digests are kept in memory, and a presented key is
 * compared against every digest in constant time, so neither the keys nor the timing of a
 * comparison reveal anything. Problems name the file and line, never the key.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from './config-error.js';

export const API_KEYS_VARIABLE = 'SWITCHYARD_API_KEYS';

/** Printable ASCII without spaces: what an `Authorization: Bearer` header can carry as is. */
const KEY = /^[\x21-\x7e]+$/;

export class ApiKeys {
  private constructor(
    private readonly digests: readonly Buffer[],
    /** Where the keys came from (file name, variable), for logs. */
    readonly source: string,
  ) {}

  /** How many distinct keys are accepted. */
  get size(): number {
    return this.digests.length;
  }

  static of(keys: readonly string[], source: string): ApiKeys {
    const unique = [...new Set(keys)];
    return new ApiKeys(unique.map(digest), source);
  }

  /** True when `presented` is one of the keys. Takes the same time whichever key matches. */
  accepts(presented: string): boolean {
    const given = digest(presented);
    let match = false;
    for (const wanted of this.digests) match = timingSafeEqual(given, wanted) || match;
    return match;
  }
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

export interface ApiKeySources {
  readonly file?: string;
  readonly env: NodeJS.ProcessEnv;
}

/**
 * The keys from `file` and the environment, or undefined when neither is given (client auth
 * off). Throws `ConfigError` for an unreadable file, a malformed key, or a source that is
 * given but lists no key (which would otherwise lock every client out, or silently let
 * every client in).
 */
export function loadApiKeys(sources: ApiKeySources): ApiKeys | undefined {
  const keys: string[] = [];
  const from: string[] = [];
  if (sources.file !== undefined) {
    keys.push(...keysFromFile(sources.file));
    from.push(`file ${sources.file}`);
  }
  const variable = sources.env[API_KEYS_VARIABLE];
  if (variable !== undefined && variable.trim() !== '') {
    const listed = variable
      .split(',')
      .map((raw) => raw.trim())
      .filter(Boolean);
    listed.forEach((key, i) => {
      if (!KEY.test(key))
        throw new ConfigError(
          API_KEYS_VARIABLE,
          `key ${i + 1}`,
          'a key may only contain printable ASCII without spaces',
        );
    });
    if (listed.length === 0)
      throw new ConfigError(API_KEYS_VARIABLE, '', 'lists no key (keys are comma-separated)');
    keys.push(...listed);
    from.push(API_KEYS_VARIABLE);
  }
  if (from.length === 0) return undefined;
  return ApiKeys.of(keys, from.join(' + '));
}

function keysFromFile(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(file, '', `cannot read the API keys file (${code})`);
  }
  const keys: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    if (!KEY.test(line))
      throw new ConfigError(`${file}:${i + 1}`, '', 'a key may only contain printable ASCII without spaces');
    keys.push(line);
  });
  if (keys.length === 0)
    throw new ConfigError(file, '', 'the API keys file lists no key (one key per line; # starts a comment)');
  return keys;
}
