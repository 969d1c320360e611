/** Where the lab finds the repository, the installed parts and its run folder. */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is compiled to dist/lab/). */
export const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** Where scripts/lab/install.sh put Envoy, Phoenix, Prometheus and the collector. */
export function labInstallDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env['SWITCHYARD_LAB_DIR'] ?? join(REPO, '.lab'));
}

/** The runner's folder: lab.json (process ids), logs/, config/ (generated), data/. */
export function defaultRunDir(): string {
  return join(REPO, '.lab', 'run');
}

/** The compiled CLI the lab runs as `switchyard`. */
export const CLI = join(REPO, 'dist', 'src', 'cli', 'main.js');
