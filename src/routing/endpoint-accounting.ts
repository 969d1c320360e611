/**
 * The gateway's own account of what an endpoint delivered, taken from the responses it
 * relays (no engine metrics needed): time to first token, time per output token and
 * output tokens, fed into `EndpointState` for `throughput` and `least-latency`.
 *
 * - Event streams: the first token is the first event carrying text (a role-only first
 *   chunk does not count); each such event counts one output token as it passes (vLLM
 *   sends one token per event), corrected at the end by `usage.completion_tokens` when
 *   the stream reports usage; TPOT = (last byte - first token) / (tokens - 1).
 * - Plain JSON: only the output tokens (`usage.completion_tokens`); TTFT and TPOT cannot be
 *   told apart in a body that arrives at once.
 * Only complete 2xx responses count. Parsing is incremental and bounded; an event that is
 * the previous text event with another piece of text (see `api/content-template.ts`) is
 * counted without parsing it again.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';
import { StringDecoder } from 'node:string_decoder';
import { ContentTemplate } from '../api/content-template.js';
import { SseParser } from '../api/sse-parser.js';
import type { EndpointState } from './endpoint-state.js';

/**
 * The proxy's `ResponseObserver`, restated here because routing comes before proxy in the
 * folder order and does not import it; the two types are structurally the same.
 */
export interface DeliveryObserver {
  onResponse(status: number, headers: IncomingHttpHeaders): void;
  onChunk(chunk: Buffer): void;
  onEnd(result: { readonly outcome: string }): void;
}

const TAIL_CHARS = 4096;
/** Templates learnt per stream before giving up on events that keep changing. */
const MAX_TEMPLATE_TRIES = 4;
const COMPLETION_TOKENS = /"completion_tokens"\s*:\s*(\d+)/g;

export interface DeliveryStats {
  readonly ttftMs?: number;
  readonly tpotMs?: number;
  readonly outputTokens: number;
}

/** Watches one relayed response from `state`; `onStats` sees what was recorded (tests, bench). */
export function accountingObserver(
  state: EndpointState,
  now: () => number = () => performance.now(),
  onStats?: (stats: DeliveryStats) => void,
): DeliveryObserver {
  const startedAt = now();
  const decoder = new StringDecoder('utf8');
  let ok = false;
  let stream = false;
  let tail = '';
  let firstTokenAt: number | undefined;
  let textEvents = 0;
  let usageTokens: number | undefined;
  let template: ContentTemplate | undefined;
  let templateTries = 0;

  const countText = () => {
    textEvents++;
    firstTokenAt ??= now();
    // Counted as they stream, so throughput sees a busy endpoint before its answers end.
    state.addOutputTokens(1);
  };
  const readEvent = (data: string) => {
    if (!data || data === '[DONE]') return;
    const piece = template?.match(data);
    if (piece !== undefined) {
      if (piece !== '') countText();
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      return;
    }
    if (json === null || typeof json !== 'object') return;
    const chunk = json as { choices?: unknown; usage?: { completion_tokens?: unknown } | null };
    const tokens = chunk.usage?.completion_tokens;
    if (typeof tokens === 'number') usageTokens = tokens;
    if (carriesText(chunk.choices)) countText();
    if (templateTries < MAX_TEMPLATE_TRIES) {
      const learnt =
        ContentTemplate.from('chat', data, json as Record<string, unknown>) ??
        ContentTemplate.from('completion', data, json as Record<string, unknown>);
      if (learnt) {
        template = learnt;
        templateTries++;
      }
    }
  };
  const sse = new SseParser((data) => readEvent(data.trim()));

  return {
    onResponse(status, headers) {
      ok = status >= 200 && status < 300;
      stream = String(headers['content-type'] ?? '').startsWith('text/event-stream');
    },
    onChunk(chunk) {
      if (!ok) return;
      if (stream) {
        sse.push(chunk);
        return;
      }
      tail = (tail + decoder.write(chunk)).slice(-TAIL_CHARS);
    },
    onEnd(result) {
      if (!ok || result.outcome !== 'complete') return;
      const endedAt = now();
      let stats: DeliveryStats;
      if (stream) {
        sse.end();
        const tokens = usageTokens ?? textEvents;
        state.addOutputTokens(tokens - textEvents);
        const ttftMs = firstTokenAt !== undefined ? firstTokenAt - startedAt : undefined;
        const tpotMs =
          firstTokenAt !== undefined && tokens > 1 ? (endedAt - firstTokenAt) / (tokens - 1) : undefined;
        if (ttftMs !== undefined) state.ttft.add(ttftMs);
        if (tpotMs !== undefined) state.tpot.add(tpotMs);
        stats = {
          outputTokens: tokens,
          ...(ttftMs !== undefined ? { ttftMs } : {}),
          ...(tpotMs !== undefined ? { tpotMs } : {}),
        };
      } else {
        const matches = [...(tail + decoder.end()).matchAll(COMPLETION_TOKENS)];
        stats = { outputTokens: matches.length ? Number(matches[matches.length - 1]![1]) : 0 };
      }
      if (!stream) state.addOutputTokens(stats.outputTokens);
      onStats?.(stats);
    },
  };
}

function carriesText(choices: unknown): boolean {
  if (!Array.isArray(choices)) return false;
  return choices.some((c) => {
    if (c === null || typeof c !== 'object') return false;
    const choice = c as { delta?: { content?: unknown; reasoning_content?: unknown }; text?: unknown };
    return (
      (typeof choice.delta?.content === 'string' && choice.delta.content !== '') ||
      (typeof choice.delta?.reasoning_content === 'string' && choice.delta.reasoning_content !== '') ||
      (typeof choice.text === 'string' && choice.text !== '')
    );
  });
}
