#!/usr/bin/env node
// Runs the compiled unit and integration tests with node's built-in test runner.
// Usage: node scripts/run-tests.mjs [--e2e|--reliability] [path-substring ...]   (after `npm run build`)
// End-to-end tests against the lab's real parts (dist/test/e2e) run only with --e2e; the
// heavy fault, soak, hostile-input and secrets tests (dist/test/reliability) only with --reliability.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const e2e = args.includes('--e2e');
const reliability = args.includes('--reliability');
const E2E_DIR = 'dist/test/e2e/';
const RELIABILITY_DIR = 'dist/test/reliability/';
const roots = e2e ? [E2E_DIR] : reliability ? [RELIABILITY_DIR] : ['dist/src', 'dist/test', 'dist/bench'];
const filters = args.filter((a) => a !== '--e2e' && a !== '--reliability');

function collect(dir, out) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (name.endsWith('.test.js')) out.push(path);
  }
  return out;
}

const files = roots
  .flatMap((r) => collect(join(root, r), []))
  .map((f) => relative(root, f))
  .filter((f) => e2e || !f.startsWith(E2E_DIR))
  .filter((f) => reliability || !f.startsWith(RELIABILITY_DIR))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x.replace(/\.ts$/, ''))))
  .sort();
if (files.length === 0) {
  console.error('no test files found (did the build run?)');
  process.exit(1);
}
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const result = spawnSync(
  process.execPath,
  [
    '--test',
    '--test-reporter=spec',
    // The heavy suites load the machine on purpose: one file at a time.
    `--test-concurrency=${e2e || reliability ? 1 : concurrency}`,
    `--test-timeout=${e2e ? 900_000 : reliability ? 300_000 : 180_000}`,
    ...files,
  ],
  { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);
process.exit(result.status ?? 1);
