/**
 * Validates OpenAI-compatible request bodies into what the engine needs: the prompt as
 * token ids, the answer length limit and the streaming options. Every problem is a 400
 * naming the field; fields the simulator does not use are accepted and ignored (as vLLM
 * ignores unknown fields), but known fields with a wrong type are rejected.
 */
import { type ChatMessage, renderChat } from '../engine/chat-template.js';
import { encode, VOCAB_SIZE } from '../engine/tokenizer.js';
import { SimErrors } from './sim-errors.js';

type Body = Record<string, unknown>;

export interface GenerateRequest {
  readonly kind: 'chat' | 'completion';
  readonly model: string;
  /** The prompt as the engine sees it (chat messages rendered through the template). */
  readonly promptIds: number[];
  /** Answer length limit; undefined lets the engine pick a natural length. */
  readonly maxTokens: number | undefined;
  readonly stream: boolean;
  /** `stream_options.include_usage`: a last chunk carries the usage. */
  readonly includeUsage: boolean;
  /** vLLM's disaggregated prefill/decode parameters, when sent. */
  readonly kvTransferParams: Readonly<Record<string, unknown>> | undefined;
}

export interface EmbeddingRequest {
  readonly model: string;
  /** Token ids of each input. */
  readonly inputs: number[][];
  readonly dimensions: number | undefined;
  readonly encoding: 'float' | 'base64';
}

/** Placeholders for non-text content parts, so they still cost prompt tokens. */
const PART_PLACEHOLDERS: Readonly<Record<string, string>> = {
  image_url: '<|vision_start|><|image_pad|><|vision_end|>',
  input_audio: '<|audio_bos|><|AUDIO|><|audio_eos|>',
  file: '<|file|>',
};

export function modelOf(body: Body): string {
  const model = body['model'];
  if (model === undefined || model === null) throw SimErrors.missing('model');
  if (typeof model !== 'string' || !model) throw SimErrors.invalid('model', 'expected a non-empty string');
  return model;
}

export function parseChat(body: Body): GenerateRequest {
  const model = modelOf(body);
  const messages = body['messages'];
  if (messages === undefined || messages === null) throw SimErrors.missing('messages');
  if (!Array.isArray(messages)) throw SimErrors.invalid('messages', 'expected an array');
  if (messages.length === 0) throw SimErrors.invalid('messages', 'must contain at least one message');
  const rendered: ChatMessage[] = messages.map((m, i) => chatMessage(m, `messages[${i}]`));
  return {
    kind: 'chat',
    model,
    promptIds: encode(renderChat(rendered)),
    maxTokens: answerLimit(body),
    ...streaming(body),
    kvTransferParams: kvTransferParams(body),
  };
}

export function parseCompletion(body: Body): GenerateRequest {
  const model = modelOf(body);
  const prompt = body['prompt'];
  if (prompt === undefined || prompt === null) throw SimErrors.missing('prompt');
  if (body['echo'] === true) throw SimErrors.unsupported('echo', 'echo: true');
  const bestOf = body['best_of'];
  if (bestOf !== undefined && bestOf !== null && bestOf !== 1)
    throw SimErrors.unsupported('best_of', 'best_of other than 1');
  return {
    kind: 'completion',
    model,
    promptIds: promptTokens(prompt, 'prompt'),
    maxTokens: answerLimit(body),
    ...streaming(body),
    kvTransferParams: kvTransferParams(body),
  };
}

export function parseEmbedding(body: Body, maxDimensions: number): EmbeddingRequest {
  const model = modelOf(body);
  const input = body['input'];
  if (input === undefined || input === null) throw SimErrors.missing('input');
  let inputs: number[][];
  if (typeof input === 'string') inputs = [encode(nonEmptyText(input, 'input'))];
  else if (Array.isArray(input) && input.length > 0 && input.every((x) => typeof x === 'string'))
    inputs = input.map((x, i) => encode(nonEmptyText(x as string, `input[${i}]`)));
  else if (Array.isArray(input) && input.length > 0 && input.every((x) => typeof x === 'number'))
    inputs = [tokenIds(input, 'input')];
  else if (Array.isArray(input) && input.length > 0 && input.every((x) => Array.isArray(x)))
    inputs = input.map((x, i) => tokenIds(x as unknown[], `input[${i}]`));
  else
    throw SimErrors.invalid(
      'input',
      'expected a non-empty string, array of strings, array of token ids or array of token id arrays',
    );
  const dimensions = optionalInt(body, 'dimensions', 1, maxDimensions);
  const format = body['encoding_format'];
  if (format !== undefined && format !== null && format !== 'float' && format !== 'base64') {
    throw SimErrors.invalid('encoding_format', 'expected "float" or "base64"');
  }
  return { model, inputs, dimensions, encoding: format === 'base64' ? 'base64' : 'float' };
}

function chatMessage(value: unknown, path: string): ChatMessage {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw SimErrors.invalid(path, 'expected an object');
  const m = value as Body;
  const role = m['role'];
  if (typeof role !== 'string' || !role)
    throw SimErrors.invalid(`${path}.role`, 'expected a non-empty string');
  const content = m['content'];
  let text: string;
  if (content === undefined || content === null) text = '';
  else if (typeof content === 'string') text = content;
  else if (Array.isArray(content))
    text = content.map((part, j) => contentPart(part, `${path}.content[${j}]`)).join('');
  else throw SimErrors.invalid(`${path}.content`, 'expected a string, an array of content parts or null');
  // Tool calls in the history still cost prompt tokens on a real engine.
  if (m['tool_calls'] !== undefined && m['tool_calls'] !== null) text += JSON.stringify(m['tool_calls']);
  return { role, content: text };
}

function contentPart(value: unknown, path: string): string {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw SimErrors.invalid(path, 'expected an object');
  const part = value as Body;
  const type = part['type'];
  if (type === 'text') {
    if (typeof part['text'] !== 'string') throw SimErrors.invalid(`${path}.text`, 'expected a string');
    return part['text'];
  }
  if (typeof type === 'string' && PART_PLACEHOLDERS[type]) return PART_PLACEHOLDERS[type];
  throw SimErrors.invalid(
    `${path}.type`,
    `expected one of text, ${Object.keys(PART_PLACEHOLDERS).join(', ')}`,
  );
}

/** vLLM's prompt shapes: a string, token ids, or a list of either (one prompt per request here). */
function promptTokens(prompt: unknown, param: string): number[] {
  if (typeof prompt === 'string') return encode(nonEmptyText(prompt, param));
  if (Array.isArray(prompt) && prompt.length > 0) {
    if (prompt.every((x) => typeof x === 'number')) return tokenIds(prompt, param);
    const single = (x: unknown) =>
      typeof x === 'string' || (Array.isArray(x) && x.every((t) => typeof t === 'number'));
    if (prompt.every(single)) {
      if (prompt.length > 1) throw SimErrors.unsupported(param, 'more than one prompt per request');
      const only = prompt[0] as string | number[];
      return typeof only === 'string'
        ? encode(nonEmptyText(only, `${param}[0]`))
        : tokenIds(only, `${param}[0]`);
    }
  }
  throw SimErrors.invalid(
    param,
    'expected a non-empty string, array of token ids, or a one-element array of either',
  );
}

function tokenIds(list: readonly unknown[], param: string): number[] {
  if (list.length === 0) throw SimErrors.invalid(param, 'must not be empty');
  for (const id of list) {
    if (!Number.isInteger(id) || (id as number) < 0 || (id as number) >= VOCAB_SIZE) {
      throw SimErrors.invalid(param, `token ids must be integers in [0, ${VOCAB_SIZE})`);
    }
  }
  return list as number[];
}

function nonEmptyText(text: string, param: string): string {
  if (text.length === 0) throw SimErrors.invalid(param, 'must not be empty');
  return text;
}

/** `max_completion_tokens` (preferred) or `max_tokens`; `n` must be 1. */
function answerLimit(body: Body): number | undefined {
  const n = body['n'];
  if (n !== undefined && n !== null && n !== 1) {
    if (!Number.isInteger(n) || (n as number) < 1)
      throw SimErrors.invalid('n', 'expected a positive integer');
    throw SimErrors.unsupported('n', 'n other than 1');
  }
  for (const name of ['temperature', 'top_p', 'presence_penalty', 'frequency_penalty']) {
    const v = body[name];
    if (v !== undefined && v !== null && (typeof v !== 'number' || !Number.isFinite(v))) {
      throw SimErrors.invalid(name, 'expected a number');
    }
  }
  const maxCompletion = optionalInt(body, 'max_completion_tokens', 1);
  const maxTokens = optionalInt(body, 'max_tokens', 1);
  return maxCompletion ?? maxTokens;
}

function streaming(body: Body): { stream: boolean; includeUsage: boolean } {
  const stream = body['stream'];
  if (stream !== undefined && stream !== null && typeof stream !== 'boolean') {
    throw SimErrors.invalid('stream', 'expected a boolean');
  }
  const options = body['stream_options'];
  if (options === undefined || options === null) return { stream: stream === true, includeUsage: false };
  if (typeof options !== 'object' || Array.isArray(options))
    throw SimErrors.invalid('stream_options', 'expected an object');
  if (stream !== true) throw SimErrors.invalid('stream_options', 'only allowed when stream is true');
  const include = (options as Body)['include_usage'];
  if (include !== undefined && include !== null && typeof include !== 'boolean') {
    throw SimErrors.invalid('stream_options.include_usage', 'expected a boolean');
  }
  return { stream: true, includeUsage: include === true };
}

function kvTransferParams(body: Body): Readonly<Record<string, unknown>> | undefined {
  const params = body['kv_transfer_params'];
  if (params === undefined || params === null) return undefined;
  if (typeof params !== 'object' || Array.isArray(params))
    throw SimErrors.invalid('kv_transfer_params', 'expected an object');
  return params as Record<string, unknown>;
}

function optionalInt(
  body: Body,
  name: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (!Number.isInteger(v) || (v as number) < min || (v as number) > max) {
    throw SimErrors.invalid(
      name,
      max === Number.MAX_SAFE_INTEGER
        ? `expected an integer >= ${min}`
        : `expected an integer in [${min}, ${max}]`,
    );
  }
  return v as number;
}
