/** Parsers for the duration and size notations used by flags and config files. */

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/**
 * Go-style durations as Envoy AI Gateway writes them: `500ms`, `30s`, `3m`, `1h`, or
 * compounds like `1m30s`. Returns milliseconds, or undefined when the text is not one.
 */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  let total = 0;
  let rest = trimmed;
  while (rest) {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)/.exec(rest);
    if (!m) return undefined;
    total += Number(m[1]) * DURATION_UNITS[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return total;
}

const SIZE = /^(\d+(?:\.\d+)?)\s*(|b|k|kb|ki|kib|m|mb|mi|mib|g|gb|gi|gib)$/i;
const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  ki: 1024,
  kib: 1024,
  m: 1e6,
  mb: 1e6,
  mi: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1e9,
  gb: 1e9,
  gi: 1024 ** 3,
  gib: 1024 ** 3,
};

/** Byte sizes: `1048576`, `50Mi` (Kubernetes quantity), `10MB`, `512KiB`. */
export function parseSize(text: string): number | undefined {
  const m = SIZE.exec(text.trim());
  if (!m) return undefined;
  return Math.floor(Number(m[1]) * SIZE_UNITS[m[2]!.toLowerCase()]!);
}
