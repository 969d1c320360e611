import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * A folder of the shared reference material (`aigw`, `aibrix`): `shared/` beside the
 * repository (CI clones the repository next to it), else the workplace's `/work/shared`.
 */
export function referenceDir(anchor: 'aigw' | 'aibrix', probe: string): string {
  const candidates = [
    fileURLToPath(new URL(`../../../../shared/reference/${anchor}/`, import.meta.url)),
    `/work/shared/reference/${anchor}/`,
  ];
  const found = candidates.find((dir) => existsSync(`${dir}${probe}`));
  if (!found) throw new Error(`${anchor} reference files not found in ${candidates.join(' or ')}`);
  return found;
}

/** The Envoy AI Gateway examples. */
export function aigwReferenceDir(): string {
  return referenceDir('aigw', 'ollama.yaml');
}

/** The AIBrix local-mode examples. */
export function aibrixReferenceDir(): string {
  return referenceDir('aibrix', 'endpoints.yaml');
}

/** The Compose specification's JSON Schema (draft 2020-12), beside the anchors' folders. */
export function composeSchemaFile(): string {
  return `${referenceDir('aigw', 'ollama.yaml')}../compose-spec.json`;
}
