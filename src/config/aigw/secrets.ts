/**
 * Values of Kubernetes `Secret` resources, as `aigw run` reads them: `stringData` wins over
 * base64 `data` for the same key, and the annotations
 * `substitution.aigw.run/env/<key>: VAR` and `substitution.aigw.run/file/<key>: PATH`
 * replace a key's value with an environment variable or a file's content (a missing
 * variable or unreadable file keeps the written value, with a warning). Secret values never
 * appear in messages.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { type Diagnostics, Fields, type Resource } from './resources.js';

const ENV_ANNOTATION = 'substitution.aigw.run/env/';
const FILE_ANNOTATION = 'substitution.aigw.run/file/';
const BASE64 = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;

/** Reads one key of a Secret; undefined when the Secret has no such key. */
export function secretValue(
  secret: Resource,
  key: string,
  env: NodeJS.ProcessEnv,
  diagnostics: Diagnostics,
): string | undefined {
  const fields = new Fields(secret, diagnostics);
  let value: string | undefined;
  const encoded = fields.get(['data', key]);
  if (encoded !== undefined && encoded !== null) {
    if (typeof encoded !== 'string' || !BASE64.test(encoded)) {
      throw fields.fail(['data', key], 'expected a base64 string (use stringData for plain text)');
    }
    value = Buffer.from(encoded, 'base64').toString('utf8');
  }
  const plain = fields.get(['stringData', key]);
  if (plain !== undefined && plain !== null) {
    if (typeof plain !== 'string') throw fields.fail(['stringData', key], 'expected a string');
    value = plain;
  }
  if (value === undefined) return undefined;

  const fromEnv = secret.annotations[ENV_ANNOTATION + key];
  const fromFile = secret.annotations[FILE_ANNOTATION + key];
  if (fromEnv !== undefined) {
    const replacement = env[fromEnv];
    if (replacement) return replacement;
    fields.warn(
      ['metadata', 'annotations', ENV_ANNOTATION + key],
      `environment variable ${fromEnv} is not set; the written value of "${key}" is used`,
    );
  } else if (fromFile !== undefined) {
    const path = fromFile.startsWith('~/') ? join(homedir(), fromFile.slice(2)) : fromFile;
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      fields.warn(
        ['metadata', 'annotations', FILE_ANNOTATION + key],
        `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'}); the written value of "${key}" is used`,
      );
    }
  }
  return value;
}
