/**
 * A configuration problem found at start. The message always names the file (or source),
 * the path of the offending field and what is wrong, so a user can fix it without guessing.
 */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly fieldPath: string,
    readonly problem: string,
  ) {
    super(`${source}: ${fieldPath ? `${fieldPath}: ` : ''}${problem}`);
    this.name = 'ConfigError';
  }
}

/** Formats a path like `models[0].rolesets[1].name` from its parts. */
export function fieldPath(parts: readonly (string | number)[]): string {
  let out = '';
  for (const part of parts) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${part}` : part;
  }
  return out;
}
