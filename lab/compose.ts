/**
 * Just enough of Docker Compose to run the lab's compose files as local processes: the
 * services (YAML anchors and merge keys resolved), `${VAR}` interpolation, and the
 * volume mounts that say which repository file a container path is.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';

export interface ComposeService {
  readonly name: string;
  readonly image?: string;
  readonly command: readonly string[];
  readonly environment: Readonly<Record<string, string>>;
  /** Bind mounts: container path -> absolute host path. */
  readonly mounts: ReadonlyMap<string, string>;
}

export interface ComposeFile {
  readonly file: string;
  readonly services: ReadonlyMap<string, ComposeService>;
  /** Files named in `include` entries, with their `env_file`s. */
  readonly includes: readonly { path: string; envFiles: readonly string[] }[];
}

/** Reads a compose file; `vars` interpolate `${VAR}`, `${VAR:-default}`, `${VAR-default}`. */
export function readCompose(file: string, vars: Readonly<Record<string, string | undefined>>): ComposeFile {
  const dir = dirname(file);
  const doc = parse(readFileSync(file, 'utf8'), { merge: true }) as Record<string, unknown>;
  const services = new Map<string, ComposeService>();
  for (const [name, raw] of Object.entries(
    (doc['services'] ?? {}) as Record<string, Record<string, unknown>>,
  )) {
    const command = raw['command'];
    services.set(name, {
      name,
      ...(typeof raw['image'] === 'string' ? { image: raw['image'] } : {}),
      command: (Array.isArray(command)
        ? command
        : typeof command === 'string'
          ? command.split(/\s+/)
          : []
      ).map((c) => interpolate(String(c), vars)),
      environment: environmentOf(raw['environment'], vars),
      mounts: mountsOf(raw['volumes'], dir),
    });
  }
  const includes = (
    (doc['include'] ?? []) as (string | { path: string; env_file?: string | string[] })[]
  ).map((entry) =>
    typeof entry === 'string'
      ? { path: resolve(dir, entry), envFiles: [] }
      : {
          path: resolve(dir, entry.path),
          envFiles: [entry.env_file ?? []].flat().map((f) => resolve(dir, f)),
        },
  );
  return { file, services, includes };
}

/** `KEY=value` lines (comments and blanks skipped), as compose's `env_file` reads them. */
export function readEnvFile(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (m && !line.trimStart().startsWith('#')) out[m[1]!] = m[2]!.replace(/^(['"])(.*)\1$/, '$2');
  }
  return out;
}

/** Compose interpolation: `$$` is a literal `$`; unset variables without a default are empty. */
export function interpolate(text: string, vars: Readonly<Record<string, string | undefined>>): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (
      match,
      braced: string | undefined,
      op: string | undefined,
      fallback: string | undefined,
      bare: string | undefined,
    ) => {
      if (match === '$$') return '$';
      const name = braced ?? bare!;
      const value = vars[name];
      if (op === ':-') return value ? value : (fallback ?? '');
      if (op === '-') return value !== undefined ? value : (fallback ?? '');
      return value ?? '';
    },
  );
}

function environmentOf(
  raw: unknown,
  vars: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(raw)) {
    for (const entry of raw as string[]) {
      const [key, ...rest] = String(entry).split('=');
      out[key!] = rest.length ? interpolate(rest.join('='), vars) : (vars[key!] ?? '');
    }
  } else if (raw && typeof raw === 'object') {
    for (const [key, value] of Object.entries(raw)) out[key] = interpolate(String(value ?? ''), vars);
  }
  return out;
}

function mountsOf(raw: unknown, dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of (raw ?? []) as unknown[]) {
    if (typeof entry !== 'string') continue;
    const [host, container] = entry.split(':');
    // Only bind mounts of repository files (named volumes have no path).
    if (host && container && (host.startsWith('.') || host.startsWith('/')))
      out.set(container, resolve(dir, host));
  }
  return out;
}
