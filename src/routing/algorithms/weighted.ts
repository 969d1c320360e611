import type { EndpointView } from '../endpoint-state.js';
import {
  type Fallback,
  hasFeedback,
  leastLoaded,
  lowest,
  type Router,
  type RoutingChoice,
  type RoutingFeedback,
  type RoutingRequest,
  type Scorer,
} from '../router.js';

export interface WeightedPart {
  readonly router: Router & Scorer;
  /** > 0. */
  readonly weight: number;
}

/**
 * A weighted combination of scoring algorithms, written as AIBrix writes it:
 * `prefix-cache:2,least-request:1` (a missing weight is 1; weight 0 leaves a part out).
 *
 * Each part scores every candidate; scores are normalised to 0..1 per part (1 = best):
 * against the part's own scale when it has one (prefix match ratio, KV-cache usage: a 5%
 * match is worth 0.05, not the full weight because nobody else matched), else min-max over
 * the candidates (all 1 when they are equal). Each candidate's total is the weighted mean
 * of its normalised scores; the highest total wins (ties: fewest in
 * flight, then random). A candidate a part has no data for gets that part's worst, 0.
 *
 * Fallback: a part with no data for any candidate (say `least-kv-cache` before the first
 * scrape) is left out and the decision says so (`to` is the parts that decided); with no
 * part left it is `least-request`. Parts keep their own state (the prefix index is shared
 * with `prefix-cache`) and learn from every decision. Score: the winner's total, 0..1;
 * `matchRatio`: the prefix part's ratio for the winner, when there is one.
 */
export class WeightedRouter implements Router, RoutingFeedback {
  constructor(
    readonly name: string,
    /** The parts, in the order written (read by `--debug` to show each part's scores). */
    readonly parts: readonly WeightedPart[],
    private readonly random: () => number,
  ) {}

  pick(request: RoutingRequest, candidates: readonly EndpointView[]): RoutingChoice {
    const totals = candidates.map(() => 0);
    let weightUsed = 0;
    let matchRatios: readonly (number | undefined)[] | undefined;
    const used: WeightedPart[] = [];
    const left: { part: WeightedPart; reason: string; detail?: string }[] = [];
    for (const part of this.parts) {
      const sheet = part.router.scores(request, candidates);
      if ('missing' in sheet) {
        left.push({ part, reason: sheet.missing, ...(sheet.detail ? { detail: sheet.detail } : {}) });
        continue;
      }
      const normalised = normalise(sheet.values, part.router.better, sheet.bounds);
      normalised.forEach((n, i) => {
        totals[i]! += part.weight * n;
      });
      weightUsed += part.weight;
      used.push(part);
      if (sheet.isMatchRatio) matchRatios = sheet.values;
    }
    if (used.length === 0) {
      return {
        endpoint: leastLoaded(candidates, this.random),
        fallback: this.leftOut(left, 'least-request'),
      };
    }
    const index = new Map(candidates.map((c, i) => [c, i]));
    const best = lowest(candidates, (c) => -totals[index.get(c)!]!);
    const endpoint = leastLoaded(best, this.random);
    const i = index.get(endpoint)!;
    const ratio = matchRatios?.[i];
    return {
      endpoint,
      score: totals[i]! / weightUsed,
      ...(ratio !== undefined ? { matchRatio: ratio } : {}),
      ...(left.length ? { fallback: this.leftOut(left, formatParts(used)) } : {}),
    };
  }

  onRouted(request: RoutingRequest, choice: RoutingChoice): void {
    for (const { router } of this.parts) if (hasFeedback(router)) router.onRouted(request, choice);
  }

  private leftOut(
    left: readonly { part: WeightedPart; reason: string; detail?: string }[],
    to: string,
  ): Fallback {
    const first = left[0]!;
    return {
      to,
      reason: first.reason,
      detail: left.map((l) => `${l.part.router.name} left out: ${l.detail ?? l.reason}`).join('; '),
    };
  }
}

/** `name:weight,...` as the canonical spelling of a combination. */
export function formatParts(parts: readonly { router: { name: string }; weight: number }[]): string {
  return parts.map((p) => `${p.router.name}:${p.weight}`).join(',');
}

/**
 * Normalisation to 0..1 where 1 is best: against `bounds` when the scale has a meaning of
 * its own (a match ratio), else min-max over the candidates (all 1 when they are equal).
 * Undefined values score 0.
 */
export function normalise(
  values: readonly (number | undefined)[],
  better: 'higher' | 'lower',
  bounds?: readonly [number, number],
): number[] {
  const known = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  if (known.length === 0) return values.map(() => 0);
  const [min, max] = bounds ?? [Math.min(...known), Math.max(...known)];
  return values.map((v) => {
    if (v === undefined || !Number.isFinite(v)) return 0;
    if (max === min) return 1;
    const position = Math.min(1, Math.max(0, (v - min) / (max - min)));
    return better === 'higher' ? position : 1 - position;
  });
}
