import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temporary directory for one test file. */
export function tempDir(prefix = 'switchyard-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes `text` to `name` in a fresh temp dir and returns the path. */
export function writeTempFile(name: string, text: string): string {
  const path = join(tempDir(), name);
  writeFileSync(path, text);
  return path;
}

/** An AIBrix endpoints.yaml with one entry per model: `{ model: ["host:port", ...] }`. */
export function writeEndpointsFile(models: Record<string, readonly string[]>): string {
  const lines = ['models:'];
  for (const [name, endpoints] of Object.entries(models)) {
    lines.push(`  - name: ${JSON.stringify(name)}`, '    endpoints:');
    for (const e of endpoints) lines.push(`      - ${JSON.stringify(e)}`);
  }
  return writeTempFile('endpoints.yaml', `${lines.join('\n')}\n`);
}
