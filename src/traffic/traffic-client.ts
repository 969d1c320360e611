/**
 * One request of the traffic generator, as a client sends it: the body for the job's
 * kind, the tenant and session headers, and the answer read to its end (a stream chunk
 * by chunk), so a conversation can carry it into its next turn.
 */
import type { IncomingMessage } from 'node:http';
import type { ChatMessage } from '../bench/workloads.js';
import { httpRequest, readText } from './http-request.js';
import type { Job } from './traffic-mix.js';

export interface TrafficTarget {
  /** Base URL, e.g. http://127.0.0.1:10080 (Envoy) or :1975 (the gateway). */
  readonly url: string;
  readonly model: string;
  /** The prefill/decode model, when the target serves one. */
  readonly pdModel?: string;
}

export interface Outcome {
  readonly status: number;
  /** The assistant's text (chats and completions), for the next turn. */
  readonly answer: string;
  /** Transport failure or an `event: error` inside a stream. */
  readonly error?: string;
}

/** The model no target serves: the 404 the mix asks for. */
export const UNKNOWN_MODEL = 'switchyard-traffic/no-such-model';

export interface TrafficRequest {
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: unknown;
  readonly stream: boolean;
}

/** The request for `job`; `history` is the conversation so far (with its new user turn). */
export function requestFor(
  job: Job,
  target: TrafficTarget,
  history: readonly ChatMessage[],
  maxTokens: number,
): TrafficRequest {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'switchyard-traffic',
    'x-tenant-id': job.tenant,
    ...(job.kind === 'conversation' && job.flow.session ? { 'x-session-id': job.flow.session } : {}),
  };
  const chat = (model: string) => ({
    path: '/v1/chat/completions',
    headers,
    stream: job.stream,
    body: {
      model,
      messages: history,
      max_tokens: maxTokens,
      ...(job.stream ? { stream: true, stream_options: { include_usage: true } } : {}),
    },
  });
  const question = history[history.length - 1]?.content ?? '';
  switch (job.kind) {
    case 'shared-prefix':
    case 'conversation':
      return chat(target.model);
    case 'pd-chat':
      return chat(target.pdModel ?? target.model);
    case 'embeddings':
      return {
        path: '/v1/embeddings',
        headers,
        stream: false,
        body: { model: target.model, input: question },
      };
    case 'completion':
      return {
        path: '/v1/completions',
        headers,
        stream: job.stream,
        body: {
          model: target.model,
          prompt: question,
          max_tokens: maxTokens,
          ...(job.stream ? { stream: true, stream_options: { include_usage: true } } : {}),
        },
      };
    case 'unknown-model':
      return chat(UNKNOWN_MODEL);
    case 'bad-request':
      // `messages` must be a list: a 400 from the gateway, before any routing.
      return {
        path: '/v1/chat/completions',
        headers,
        stream: false,
        body: { model: target.model, messages: question },
      };
  }
}

export async function send(url: string, request: TrafficRequest, signal: AbortSignal): Promise<Outcome> {
  let res: IncomingMessage;
  try {
    res = await httpRequest(`${url}${request.path}`, {
      method: 'POST',
      headers: request.headers,
      body: JSON.stringify(request.body),
      signal,
    });
  } catch (err) {
    return { status: 0, answer: '', error: (err as Error).message };
  }
  const status = res.statusCode ?? 0;
  try {
    if (!request.stream || status !== 200) return { status, answer: textOf(await readText(res)) };
    return { status, ...(await readStream(res)) };
  } catch (err) {
    return { status, answer: '', error: (err as Error).message };
  }
}

/** The text of a chat or completion answer (empty for anything else). */
function textOf(body: string): string {
  try {
    const json = JSON.parse(body) as { choices?: { message?: { content?: string }; text?: string }[] };
    return json.choices?.[0]?.message?.content ?? json.choices?.[0]?.text ?? '';
  } catch {
    return '';
  }
}

async function readStream(body: IncomingMessage): Promise<{ answer: string; error?: string }> {
  const decoder = new TextDecoder();
  let buffer = '';
  let answer = '';
  let error: string | undefined;
  for await (const chunk of body) {
    buffer += decoder.decode(chunk as Buffer, { stream: true });
    for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (event.startsWith('event: error')) error = event.split('\n').slice(1).join(' ');
      for (const line of event.split('\n')) {
        if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
        const data = JSON.parse(line.slice(6)) as {
          choices?: { delta?: { content?: string }; text?: string }[];
        };
        answer += data.choices?.[0]?.delta?.content ?? data.choices?.[0]?.text ?? '';
      }
    }
  }
  return { answer, ...(error ? { error } : {}) };
}
