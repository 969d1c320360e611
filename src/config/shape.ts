/** Small checks shared by the config loaders: each returns the value or throws a located error. */

export type Path = readonly (string | number)[];
export type Fail = (path: Path, problem: string) => Error;

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

export function asMapping(value: unknown, path: Path, fail: Fail): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw fail(path, `expected a mapping, got ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

export function asList(value: unknown, path: Path, fail: Fail): unknown[] {
  if (!Array.isArray(value)) throw fail(path, `expected a list, got ${describe(value)}`);
  return value;
}

export function asString(value: unknown, path: Path, fail: Fail): string {
  if (typeof value !== 'string') throw fail(path, `expected a string, got ${describe(value)}`);
  if (!value.trim()) throw fail(path, 'must not be empty');
  return value;
}

export function asNumber(value: unknown, path: Path, fail: Fail, min = -Infinity, max = Infinity): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw fail(path, `expected a number, got ${describe(value)}`);
  }
  if (value < min || value > max) throw fail(path, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

/** Rejects keys outside `allowed`, naming the first unknown one and the keys that are allowed. */
export function onlyKeys(
  map: Record<string, unknown>,
  allowed: readonly string[],
  path: Path,
  fail: Fail,
): void {
  for (const key of Object.keys(map)) {
    if (!allowed.includes(key)) {
      throw fail([...path, key], `unknown key "${key}" (allowed: ${allowed.join(', ')})`);
    }
  }
}
