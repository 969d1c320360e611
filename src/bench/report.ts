/**
 * The bench's outputs: a text table per workload (printed and saved as Markdown), and an
 * SVG chart a person can look at (TTFT p50/p90 and prefix-cache hit rate per algorithm,
 * with the perfect-router bound).
 */
import type { RunSummary } from './summary.js';

export interface WorkloadResult {
  readonly workload: string;
  readonly description: string;
  /** The perfect router's hit rate on this workload (see perfect-bound.ts). */
  readonly perfectHitRate: number;
  readonly runs: readonly RunSummary[];
}

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '-');
const pct = (n: number) => (Number.isFinite(n) ? `${(n * 100).toFixed(1)}%` : '-');

/** A Markdown table (also readable as plain text). */
export function table(result: WorkloadResult): string {
  const head = [
    'algorithm',
    'requests',
    'errors',
    'TTFT p50 ms',
    'TTFT p90 ms',
    'TTFT p99 ms',
    'e2e p50 ms',
    'e2e p99 ms',
    'output tok/s',
    'hit rate',
    'of perfect',
    'spread',
    'fallbacks',
  ];
  const rows = result.runs.map((r) => [
    r.algorithm,
    String(r.requests),
    String(r.errors),
    fmt(r.ttftMs.p50),
    fmt(r.ttftMs.p90),
    fmt(r.ttftMs.p99),
    fmt(r.e2eMs.p50),
    fmt(r.e2eMs.p99),
    fmt(r.outputTokensPerSecond),
    pct(r.hitRate),
    result.perfectHitRate ? pct(r.hitRate / result.perfectHitRate) : '-',
    fmt(r.spread, 2),
    Object.entries(r.fallbacks)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ') || '0',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [
    `### ${result.workload}`,
    '',
    `${result.description}. Perfect-router hit rate: ${pct(result.perfectHitRate)}.`,
    '',
    line(head),
    rule,
    ...rows.map(line),
    '',
  ].join('\n');
}

const COLORS = [
  '#4e79a7',
  '#f28e2b',
  '#59a14f',
  '#e15759',
  '#76b7b2',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
];

/** One SVG with a row per workload: TTFT p50/p90 bars and hit-rate bars with the bound. */
export function chart(results: readonly WorkloadResult[], title: string): string {
  const rowHeight = 360;
  const width = 1100;
  const height = 60 + results.length * rowHeight;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="20" y="30" font-size="18" font-weight="bold">${esc(title)}</text>`,
  ];
  results.forEach((result, row) => {
    const top = 60 + row * rowHeight;
    parts.push(
      `<text x="20" y="${top + 10}" font-size="15" font-weight="bold">${esc(result.workload)}</text>`,
    );
    const runs = result.runs;
    const maxTtft = Math.max(1, ...runs.map((r) => (Number.isFinite(r.ttftMs.p90) ? r.ttftMs.p90 : 0)));
    parts.push(
      panel(20, top + 25, 520, 220, 'TTFT ms (light: p50, dark: p90)', runs, (r, x, w, y0, h, i) => {
        const p50 = (r.ttftMs.p50 / maxTtft) * h * 0.9;
        const p90 = (r.ttftMs.p90 / maxTtft) * h * 0.9;
        return [
          `<rect x="${x}" y="${y0 - p90}" width="${w}" height="${Math.max(0, p90)}" fill="${COLORS[i % COLORS.length]}"/>`,
          `<rect x="${x + w * 0.2}" y="${y0 - p50}" width="${w * 0.6}" height="${Math.max(0, p50)}" fill="white" fill-opacity="0.55"/>`,
          `<text x="${x + w / 2}" y="${y0 - p90 - 4}" text-anchor="middle">${fmt(r.ttftMs.p90)}</text>`,
        ].join('');
      }),
    );
    parts.push(
      panel(
        560,
        top + 25,
        520,
        220,
        `prefix-cache hit rate (dashed: perfect router, ${pct(result.perfectHitRate)})`,
        runs,
        (r, x, w, y0, h, i) => {
          const bar = r.hitRate * h;
          return [
            `<rect x="${x}" y="${y0 - bar}" width="${w}" height="${bar}" fill="${COLORS[i % COLORS.length]}"/>`,
            `<text x="${x + w / 2}" y="${y0 - bar - 4}" text-anchor="middle">${pct(r.hitRate)}</text>`,
          ].join('');
        },
      ),
    );
    const boundY = top + 25 + 20 + 170 - result.perfectHitRate * 170;
    parts.push(
      `<line x1="${560 + 40}" x2="${560 + 510}" y1="${boundY}" y2="${boundY}" stroke="black" stroke-dasharray="6 4"/>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}

type BarFn = (
  run: RunSummary,
  x: number,
  width: number,
  baseline: number,
  height: number,
  index: number,
) => string;

function panel(
  left: number,
  top: number,
  width: number,
  height: number,
  label: string,
  runs: readonly RunSummary[],
  bar: BarFn,
): string {
  const plotLeft = left + 40;
  const plotTop = top + 20;
  const plotHeight = height - 50;
  const baseline = plotTop + plotHeight;
  const slot = (width - 50) / Math.max(1, runs.length);
  const out = [
    `<text x="${left}" y="${top + 8}" fill="#333">${esc(label)}</text>`,
    `<line x1="${plotLeft}" x2="${plotLeft + width - 50}" y1="${baseline}" y2="${baseline}" stroke="#999"/>`,
  ];
  runs.forEach((run, i) => {
    const x = plotLeft + i * slot + slot * 0.15;
    out.push(bar(run, x, slot * 0.7, baseline, plotHeight, i));
    out.push(
      `<text x="${x + slot * 0.35}" y="${baseline + 14}" text-anchor="end" font-size="11" transform="rotate(-40 ${x + slot * 0.35} ${baseline + 14})">${esc(run.algorithm)}</text>`,
    );
  });
  return out.join('\n');
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
