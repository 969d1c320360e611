/**
 * Parses an OpenAI-compatible request body once into a typed request. Only the fields the
 * gateway itself relies on are checked (model, stream, and the shape of the prompt);
 * everything else passes through to the upstream untouched.
 */
import { Errors } from './errors.js';

/** The operations the gateway serves, named as Envoy AI Gateway's spans name them. */
export type Operation = 'chat' | 'completion' | 'embeddings';

export interface InferenceRequest {
  readonly operation: Operation;
  /** The model the client asked for (exact string). */
  readonly model: string;
  readonly stream: boolean;
  /** The parsed JSON body; read-only by convention, copy before changing. */
  readonly body: Readonly<Record<string, unknown>>;
  /** The bytes the client sent, forwarded as they are when nothing needs rewriting. */
  readonly raw: Buffer;
  /** `raw` decoded, as parsed (kept for spans' `input.value`: decoded once per request). */
  readonly text: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Deepest nesting of arrays and objects accepted. Real requests stay far below (tool
 * schemas nest a few dozen levels at most); JSON.parse takes any depth, but serialising a
 * value nested a few thousand levels deep (model override, pd, tracing) overflows the
 * stack, so such bodies are refused here, once.
 */
export const MAX_JSON_DEPTH = 128;

/** True when `value` nests arrays/objects more than `limit` levels deep (no recursion). */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > limit) return true;
    const children = Array.isArray(node) ? node : Object.values(node as object);
    for (const child of children)
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}

export function parseInferenceRequest(operation: Operation, raw: Buffer): InferenceRequest {
  if (raw.length === 0) throw Errors.badJson('the body is empty');
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw Errors.badJson('the body is not valid UTF-8');
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw Errors.badJson(jsonErrorDetail(err));
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw Errors.badJson('the body must be a JSON object');
  }
  if (nestedDeeperThan(body, MAX_JSON_DEPTH)) {
    throw Errors.badJson(`the JSON is nested more than ${MAX_JSON_DEPTH} levels deep`);
  }
  const fields = body as Record<string, unknown>;
  const model = fields['model'];
  if (model === undefined) throw Errors.missingField('model');
  if (typeof model !== 'string') throw Errors.invalidField('model', 'expected a string');
  if (!model) throw Errors.invalidField('model', 'must not be empty');
  const stream = fields['stream'];
  if (stream !== undefined && stream !== null && typeof stream !== 'boolean') {
    throw Errors.invalidField('stream', 'expected a boolean');
  }
  if (operation === 'embeddings' && stream === true) {
    throw Errors.invalidField('stream', 'embeddings cannot be streamed');
  }
  checkPromptShape(operation, fields);
  return { operation, model, stream: stream === true, body: fields, raw, text };
}

function checkPromptShape(operation: Operation, fields: Record<string, unknown>): void {
  switch (operation) {
    case 'chat': {
      const messages = fields['messages'];
      if (messages === undefined) throw Errors.missingField('messages');
      if (!Array.isArray(messages)) throw Errors.invalidField('messages', 'expected an array');
      if (messages.length === 0) throw Errors.invalidField('messages', 'must contain at least one message');
      messages.forEach((m, i) => {
        if (m === null || typeof m !== 'object' || Array.isArray(m)) {
          throw Errors.invalidField(`messages[${i}]`, 'expected an object');
        }
        if (typeof (m as Record<string, unknown>)['role'] !== 'string') {
          throw Errors.invalidField(`messages[${i}].role`, 'expected a string');
        }
      });
      return;
    }
    case 'completion': {
      const prompt = fields['prompt'];
      if (prompt === undefined) throw Errors.missingField('prompt');
      if (!isTextOrTokens(prompt)) {
        throw Errors.invalidField(
          'prompt',
          'expected a string, an array of strings or an array of token ids',
        );
      }
      return;
    }
    case 'embeddings': {
      const input = fields['input'];
      if (input === undefined) throw Errors.missingField('input');
      if (!isTextOrTokens(input)) {
        throw Errors.invalidField('input', 'expected a string, an array of strings or an array of token ids');
      }
      return;
    }
  }
}

function isTextOrTokens(value: unknown): boolean {
  if (typeof value === 'string') return true;
  if (!Array.isArray(value) || value.length === 0) return false;
  if (value.every((v) => typeof v === 'string')) return true;
  if (value.every((v) => Number.isInteger(v))) return true;
  return value.every((v) => Array.isArray(v) && v.length > 0 && v.every((t) => Number.isInteger(t)));
}

/**
 * The parser's complaint without the excerpt of the body V8 quotes in some messages
 * (`Unexpected token 'x', "...text..." is not valid JSON`): error bodies and the spans and
 * logs that record them never repeat what the client sent.
 */
function jsonErrorDetail(err: unknown): string {
  const message = (err as Error).message;
  const quoted = message.indexOf('"');
  if (quoted === -1) return message;
  const before = message.slice(0, quoted).replace(/[,\s]+$/, '');
  return before ? `${before}; the body is not valid JSON` : 'the body is not valid JSON';
}
