/**
 * `--debug` (or `SWITCHYARD_DEBUG`): one log line per routing decision, `routing decision`,
 * with every candidate, the numbers the algorithms read (in flight, engine KV-cache usage
 * and queue, measured latency and throughput) and each scoring algorithm's raw score for
 * it (a combination shows every part). Nothing is computed unless debug logs are on.
 */
import { WeightedRouter } from '../routing/algorithms/weighted.js';
import type { RoutingDecision } from '../routing/decision.js';
import type { EndpointView } from '../routing/endpoint-state.js';
import { isScorer, type Router, type RoutingRequest, type ScoreSheet } from '../routing/router.js';
import type { Logger } from '../telemetry/logger.js';

export function logRoutingDecision(
  logger: Logger,
  router: Router,
  request: RoutingRequest,
  candidates: readonly EndpointView[],
  decision: RoutingDecision,
): void {
  if (!logger.isLevelEnabled('debug')) return;
  const sheets = scoreSheets(router, request, candidates);
  logger.debug(
    {
      requestId: request.requestId,
      model: request.model,
      algorithm: decision.algorithm,
      strategy: decision.strategy,
      chosen: decision.endpoint,
      ...(decision.prefillEndpoint ? { prefill: decision.prefillEndpoint } : {}),
      ...(decision.score !== undefined ? { score: decision.score } : {}),
      ...(decision.matchRatio !== undefined ? { matchRatio: decision.matchRatio } : {}),
      ...(decision.fallbackReason
        ? {
            fallback: {
              to: decision.fallbackTo,
              reason: decision.fallbackReason,
              detail: decision.fallbackDetail,
            },
          }
        : {}),
      candidates: candidates.map((c, i) => ({
        endpoint: c.id,
        ...(c.spec.role !== 'both' ? { role: c.spec.role } : {}),
        ...scoresOf(sheets, i),
        inFlight: c.inFlight,
        ...(c.engine?.kvCacheUsage !== undefined ? { kvCacheUsage: round(c.engine.kvCacheUsage) } : {}),
        ...(c.engine?.waiting !== undefined ? { waiting: c.engine.waiting } : {}),
        ...(c.engine?.running !== undefined ? { running: c.engine.running } : {}),
        ...(c.engine ? { engineMetricsStale: c.engineStale } : {}),
        ...(c.ttftMs !== undefined ? { ttftMs: round(c.ttftMs) } : {}),
        ...(c.tpotMs !== undefined ? { tpotMs: round(c.tpotMs) } : {}),
        tokensPerSecond: round(c.recentTokensPerSecond),
      })),
      ...missing(sheets),
    },
    'routing decision',
  );
}

/** Each scoring algorithm's sheet, by name: the router itself, or each part of a combination. */
function scoreSheets(router: Router, request: RoutingRequest, candidates: readonly EndpointView[]) {
  const sheets: [string, ScoreSheet][] = [];
  if (router instanceof WeightedRouter) {
    for (const part of router.parts) sheets.push([part.router.name, part.router.scores(request, candidates)]);
  } else if (isScorer(router)) {
    sheets.push([router.name, router.scores(request, candidates)]);
  }
  return sheets;
}

function scoresOf(
  sheets: readonly [string, ScoreSheet][],
  i: number,
): { scores?: Record<string, number | null> } {
  const scores: Record<string, number | null> = {};
  for (const [name, sheet] of sheets) {
    if ('values' in sheet) scores[name] = sheet.values[i] === undefined ? null : round(sheet.values[i]!);
  }
  return Object.keys(scores).length ? { scores } : {};
}

function missing(sheets: readonly [string, ScoreSheet][]): { scoresMissing?: Record<string, string> } {
  const out: Record<string, string> = {};
  for (const [name, sheet] of sheets) if ('missing' in sheet) out[name] = sheet.missing;
  return Object.keys(out).length ? { scoresMissing: out } : {};
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
