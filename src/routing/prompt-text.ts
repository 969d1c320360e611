/**
 * What a request asks the engine to read, for prefix-aware routing: the prompt as text, or
 * as token ids when the client sent ids (`/v1/completions` with `prompt: [1, 2, 3]`).
 *
 * Chat messages are rendered in a ChatML-like layout (`<|im_start|>role\ncontent<|im_end|>\n`)
 * so conversations that share their first messages share a prefix, as they do after the
 * engine's own chat template. Only text reaches the prefix: image and audio parts count by
 * their URL or data, which is what makes them equal or not.
 */
import type { RoutingRequest } from './router.js';

export type Prompt = { readonly text: string } | { readonly ids: readonly number[] };

export function promptOf(request: RoutingRequest): Prompt {
  const body = request.body;
  switch (request.operation) {
    case 'chat':
      return { text: renderMessages(body['messages']) };
    case 'completion':
      return textOrIds(body['prompt']);
    case 'embeddings':
      return textOrIds(body['input']);
  }
}

function renderMessages(messages: unknown): string {
  if (!Array.isArray(messages)) return '';
  let out = '';
  for (const m of messages) {
    if (m === null || typeof m !== 'object') continue;
    const { role, content } = m as Record<string, unknown>;
    out += `<|im_start|>${typeof role === 'string' ? role : ''}\n${contentText(content)}<|im_end|>\n`;
  }
  return out;
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content))
    return content === undefined || content === null ? '' : JSON.stringify(content);
  let out = '';
  for (const part of content) {
    if (part === null || typeof part !== 'object') continue;
    const p = part as Record<string, unknown>;
    out += typeof p['text'] === 'string' ? p['text'] : JSON.stringify(p);
  }
  return out;
}

function textOrIds(value: unknown): Prompt {
  if (typeof value === 'string') return { text: value };
  if (!Array.isArray(value) || value.length === 0) return { text: '' };
  if (value.every((v) => typeof v === 'number')) return { ids: value as number[] };
  // Batched prompts: the engine runs them as separate sequences; the first one decides.
  return textOrIds(value[0]);
}
