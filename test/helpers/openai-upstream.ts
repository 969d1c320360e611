/**
 * An OpenAI-compatible model server for telemetry tests, on top of `FakeUpstream`: chat
 * completions (plain or streamed, with usage when `stream_options.include_usage` asks),
 * completions and embeddings. It echoes the last user message, so a test can check where a
 * prompt's text ends up, and reports fixed token counts a test can add up.
 *
 * The model `missing-upstream` answers 404 as OpenAI does for an unknown model.
 */
import type { ServerResponse } from 'node:http';
import { FakeUpstream, type RecordedRequest, reply } from './fake-upstream.js';

/** Usage every chat answer reports (streamed or not). */
export const CHAT_USAGE = {
  prompt_tokens: 11,
  completion_tokens: 4,
  total_tokens: 15,
  prompt_tokens_details: { cached_tokens: 3 },
  completion_tokens_details: { reasoning_tokens: 1 },
};
export const COMPLETION_USAGE = { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 };
export const EMBEDDING_USAGE = { prompt_tokens: 6, total_tokens: 6 };

function lastUserText(json: Record<string, unknown> | undefined): string {
  const messages = (json?.['messages'] as { role: string; content: unknown }[] | undefined) ?? [];
  const content = messages.filter((m) => m.role === 'user').at(-1)?.content;
  return typeof content === 'string' ? content : JSON.stringify(content ?? '');
}

export interface OpenAIUpstreamOptions {
  /** Awaited before a stream's last content chunk (tests that watch chunks arrive). */
  gate?: () => Promise<unknown>;
}

export async function startOpenAIUpstream(options: OpenAIUpstreamOptions = {}): Promise<FakeUpstream> {
  return FakeUpstream.start(async (req, res) => {
    const model = String(req.json?.['model'] ?? '');
    if (model === 'missing-upstream') {
      reply.json(res, 404, {
        error: {
          message: `The model \`${model}\` does not exist or you do not have access to it.`,
          type: 'invalid_request_error',
          param: null,
          code: 'model_not_found',
        },
      });
      return;
    }
    if (req.path.endsWith('/embeddings')) return embeddings(req, res);
    if (req.path.endsWith('/chat/completions')) return chat(req, res, options);
    return completion(req, res);
  });
}

async function chat(
  req: RecordedRequest,
  res: ServerResponse,
  options: OpenAIUpstreamOptions,
): Promise<void> {
  const model = `${req.json?.['model']}-2025`;
  const answer = `You said: ${lastUserText(req.json)}`;
  if (req.json?.['stream'] !== true) {
    reply.json(res, 200, {
      id: 'chatcmpl-t',
      object: 'chat.completion',
      created: 1_700_000_000,
      model,
      choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }],
      usage: CHAT_USAGE,
    });
    return;
  }
  const withUsage = (req.json['stream_options'] as { include_usage?: boolean } | undefined)?.include_usage;
  const base = { id: 'chatcmpl-t', object: 'chat.completion.chunk', created: 1_700_000_000, model };
  const pieces = [answer.slice(0, 5), answer.slice(5, 12), answer.slice(12)];
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const send = (chunk: unknown) => res.write(`data: ${JSON.stringify(chunk)}\n\n`);
  send({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] });
  for (const [i, piece] of pieces.entries()) {
    if (i === pieces.length - 1 && options.gate) await options.gate();
    send({ ...base, choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] });
  }
  send({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
  if (withUsage) send({ ...base, choices: [], usage: CHAT_USAGE });
  res.end('data: [DONE]\n\n');
}

function completion(req: RecordedRequest, res: ServerResponse): void {
  reply.json(res, 200, {
    id: 'cmpl-t',
    object: 'text_completion',
    created: 1_700_000_000,
    model: req.json?.['model'],
    choices: [{ index: 0, text: ' and so on', finish_reason: 'stop' }],
    usage: COMPLETION_USAGE,
  });
}

function embeddings(req: RecordedRequest, res: ServerResponse): void {
  const input = req.json?.['input'];
  const count = Array.isArray(input) ? input.length : 1;
  reply.json(res, 200, {
    object: 'list',
    model: req.json?.['model'],
    data: Array.from({ length: count }, (_, index) => ({
      object: 'embedding',
      index,
      embedding: [0.5, -0.25],
    })),
    usage: EMBEDDING_USAGE,
  });
}
