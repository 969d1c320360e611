/**
 * Prints the markdown tables of a finished overhead run (the README's "Performance"
 * tables) from its results file, so a run made elsewhere can be pasted in as it is.
 *
 *   npm run build && node dist/bench/render-overhead.js [bench/results/overhead.json]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type RenderInput, renderReport } from './lib/overhead-report.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const file = process.argv[2] ?? join(here, '../../bench/results/overhead.json');
const report = JSON.parse(readFileSync(file, 'utf8')) as RenderInput & {
  command: string;
  startedAt: string;
  environment: { commit: string; cpu: string; node: string };
};
const env = report.environment;
process.stdout.write(
  `\`${report.command}\` at ${env.commit}, ${report.startedAt.slice(0, 10)}: ${env.cpu}, Node.js ${env.node}.\n\n`,
);
process.stdout.write(renderReport(report));
