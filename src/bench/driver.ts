/**
 * Plays a workload against the gateway the way clients would: every turn is a streaming
 * chat completion (usage included); a flow's next turn waits for the previous answer and
 * carries it. Times are measured here, on the client side, and converted to engine time
 * (divided by the time scale) so runs at different scales compare.
 */
import { performance } from 'node:perf_hooks';
import type { ChatMessage, Flow, Workload } from './workloads.js';

export interface RequestRecord {
  readonly flow: string;
  readonly turn: number;
  /** Engine ms since the run started. */
  readonly sentAt: number;
  readonly ttftMs?: number;
  readonly e2eMs: number;
  readonly outputTokens: number;
  readonly status: number;
  readonly pod?: string;
  readonly prefillPod?: string;
  readonly strategy?: string;
  readonly error?: string;
  readonly messages: readonly ChatMessage[];
  readonly answer: string;
}

export interface DriveOptions {
  readonly url: string;
  readonly model: string;
  readonly timeScale: number;
  readonly onProgress?: (done: number, total: number, errors: number) => void;
}

export async function drive(
  workload: Workload,
  options: DriveOptions,
): Promise<{ records: RequestRecord[]; wallMs: number }> {
  const total = workload.flows.reduce((n, f) => n + f.turns.length, 0);
  const records: RequestRecord[] = [];
  let errors = 0;
  const started = performance.now();
  const engineMs = () => (performance.now() - started) / options.timeScale;
  const sleepUntil = async (engineAt: number) => {
    const wait = engineAt * options.timeScale - (performance.now() - started);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  };

  const runFlow = async (flow: Flow) => {
    await sleepUntil(flow.startMs);
    const messages: ChatMessage[] = flow.system ? [{ role: 'system', content: flow.system }] : [];
    for (const [i, turn] of flow.turns.entries()) {
      if (i > 0) await sleepUntil(engineMs() + turn.thinkMs);
      messages.push({ role: 'user', content: turn.user });
      const record = await send(options, flow, i, [...messages], turn.maxTokens, engineMs);
      records.push(record);
      if (record.error) errors++;
      options.onProgress?.(records.length, total, errors);
      if (record.error) return; // a conversation cannot go on without its answer
      messages.push({ role: 'assistant', content: record.answer });
    }
  };
  await Promise.all(workload.flows.map(runFlow));
  return { records, wallMs: performance.now() - started };
}

async function send(
  options: DriveOptions,
  flow: Flow,
  turn: number,
  messages: ChatMessage[],
  maxTokens: number,
  engineMs: () => number,
): Promise<RequestRecord> {
  const sentAt = engineMs();
  const base = { flow: flow.id, turn, sentAt, messages };
  const elapsed = () => engineMs() - sentAt;
  let res: Response;
  try {
    res = await fetch(`${options.url}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(flow.session ? { 'x-session-id': flow.session } : {}),
      },
      body: JSON.stringify({
        model: options.model,
        messages,
        max_tokens: maxTokens,
        stream: true,
        stream_options: { include_usage: true },
      }),
    });
  } catch (err) {
    return {
      ...base,
      e2eMs: elapsed(),
      outputTokens: 0,
      status: 0,
      error: (err as Error).message,
      answer: '',
    };
  }
  const headers = {
    ...(res.headers.get('target-pod') ? { pod: res.headers.get('target-pod')! } : {}),
    ...(res.headers.get('prefill-target-pod') ? { prefillPod: res.headers.get('prefill-target-pod')! } : {}),
    ...(res.headers.get('routing-strategy') ? { strategy: res.headers.get('routing-strategy')! } : {}),
  };
  if (res.status !== 200 || !res.body) {
    const text = await res.text().catch(() => '');
    return {
      ...base,
      ...headers,
      e2eMs: elapsed(),
      outputTokens: 0,
      status: res.status,
      error: text.slice(0, 200),
      answer: '',
    };
  }
  let ttftMs: number | undefined;
  let answer = '';
  let usageTokens: number | undefined;
  let error: string | undefined;
  let buffer = '';
  const decoder = new TextDecoder();
  try {
    for await (const chunk of res.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end !== -1) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf('\n\n');
        if (event.startsWith('event: error')) error = event;
        for (const line of event.split('\n')) {
          if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
          const data = JSON.parse(line.slice(6)) as {
            choices?: { delta?: { content?: string } }[];
            usage?: { completion_tokens?: number } | null;
            error?: { message?: string };
          };
          if (data.error) error = data.error.message ?? 'stream error';
          const content = data.choices?.[0]?.delta?.content;
          if (content) {
            ttftMs ??= elapsed();
            answer += content;
          }
          if (typeof data.usage?.completion_tokens === 'number') usageTokens = data.usage.completion_tokens;
        }
      }
    }
  } catch (err) {
    error = (err as Error).message;
  }
  return {
    ...base,
    ...headers,
    ...(ttftMs !== undefined ? { ttftMs } : {}),
    e2eMs: elapsed(),
    outputTokens: usageTokens ?? 0,
    status: res.status,
    ...(error ? { error } : {}),
    answer,
  };
}
