import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The shared reference folder of Envoy AI Gateway examples: `shared/` beside the repository
 * (CI clones the repository next to it), else the workplace's `/work/shared`.
 */
export function aigwReferenceDir(): string {
  const candidates = [
    fileURLToPath(new URL('../../../../shared/reference/aigw/', import.meta.url)),
    '/work/shared/reference/aigw/',
  ];
  const found = candidates.find((dir) => existsSync(`${dir}ollama.yaml`));
  if (!found) throw new Error(`Envoy AI Gateway reference files not found in ${candidates.join(' or ')}`);
  return found;
}
