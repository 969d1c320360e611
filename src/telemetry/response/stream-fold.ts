/**
 * Folds the chunks of a streamed chat or text completion into the shape of the
 * non-streaming response, so that one recorder serves both (STYLE habit 9).
 *
 * Chunks are only collected while the stream runs (content pieces are appended to arrays);
 * the response object is built once, by `result()`. Top-level fields are taken from the
 * first chunk that has them, `usage` from the last chunk that has one; `object` stays
 * `chat.completion.chunk` as Envoy AI Gateway records it.
 */
import type { StreamKind } from '../../api/content-template.js';
import { asArray, asRecord, asString, type Json } from './json.js';
import { type TokenUsage, usageFrom } from './usage.js';

export type { StreamKind };

interface ToolCallFold {
  id?: string;
  type?: string;
  name: string[];
  args: string[];
}

interface ChoiceFold {
  index: number;
  role?: string;
  content: string[];
  reasoning: string[];
  refusal: string[];
  toolCalls: Map<number, ToolCallFold>;
  finishReason?: unknown;
  /** Completions API. */
  text: string[];
}

export class StreamFold {
  private readonly top: Record<string, unknown> = {};
  private readonly choices = new Map<number, ChoiceFold>();
  private lastUsage: unknown;
  private sawToken = false;

  /**
   * @param keepContent false when only usage and the model are needed (no span): content
   *   pieces are then not kept at all.
   */
  constructor(
    private readonly kind: StreamKind,
    private readonly keepContent: boolean,
  ) {}

  /** Whether a token (content, reasoning, refusal, tool call or text) has passed yet. */
  get tokenSeen(): boolean {
    return this.sawToken;
  }

  /** Adds one parsed chunk; answers true when this chunk carries the stream's first token. */
  add(chunk: Json): boolean {
    for (const key in chunk) {
      if (key === 'choices') continue;
      if (key === 'usage') {
        if (chunk[key] != null) this.lastUsage = chunk[key];
      } else if (!(key in this.top)) this.top[key] = chunk[key];
    }
    let first = false;
    for (const raw of asArray(chunk['choices'])) {
      const choice = asRecord(raw);
      if (!choice) continue;
      const token = this.kind === 'chat' ? this.addChatChoice(choice) : this.addTextChoice(choice);
      if (token && !this.sawToken) {
        this.sawToken = true;
        first = true;
      }
    }
    return first;
  }

  /**
   * The same as `add` for a chunk that differs from one already added only in its piece of
   * text for choice `index` (see `ContentTemplate`): answers true when it is the stream's
   * first token.
   */
  addPiece(index: number, piece: string): boolean {
    const fold = this.choices.get(index);
    if (!fold) return false;
    const token = this.append(this.kind === 'chat' ? fold.content : fold.text, piece);
    if (!token || this.sawToken) return false;
    this.sawToken = true;
    return true;
  }

  get usage(): TokenUsage | undefined {
    return usageFrom(this.lastUsage);
  }

  get model(): string | undefined {
    return asString(this.top['model']);
  }

  /** The folded response, in the non-streaming shape. */
  result(): Json {
    const choices = [...this.choices.values()]
      .sort((a, b) => a.index - b.index)
      .map((c) => (this.kind === 'chat' ? chatChoice(c) : textChoice(c)));
    return {
      ...this.top,
      choices,
      ...(this.lastUsage !== undefined ? { usage: this.lastUsage } : {}),
    };
  }

  private choiceAt(choice: Json): ChoiceFold {
    const index = typeof choice['index'] === 'number' ? choice['index'] : 0;
    let fold = this.choices.get(index);
    if (!fold) {
      fold = { index, content: [], reasoning: [], refusal: [], toolCalls: new Map(), text: [] };
      this.choices.set(index, fold);
    }
    if (choice['finish_reason'] != null) fold.finishReason = choice['finish_reason'];
    return fold;
  }

  private addChatChoice(choice: Json): boolean {
    const fold = this.choiceAt(choice);
    const delta = asRecord(choice['delta']);
    if (!delta) return false;
    const role = asString(delta['role']);
    if (role) fold.role = role;
    let token = false;
    token = this.append(fold.content, delta['content']) || token;
    token = this.append(fold.reasoning, delta['reasoning_content']) || token;
    token = this.append(fold.refusal, delta['refusal']) || token;
    for (const raw of asArray(delta['tool_calls'])) {
      const call = asRecord(raw);
      if (!call) continue;
      token = true;
      if (!this.keepContent) continue;
      const index = typeof call['index'] === 'number' ? call['index'] : fold.toolCalls.size;
      let tc = fold.toolCalls.get(index);
      if (!tc) {
        tc = { name: [], args: [] };
        fold.toolCalls.set(index, tc);
      }
      const id = asString(call['id']);
      if (id) tc.id = id;
      const type = asString(call['type']);
      if (type) tc.type = type;
      const fn = asRecord(call['function']);
      const name = asString(fn?.['name']);
      if (name) tc.name.push(name);
      const args = asString(fn?.['arguments']);
      if (args) tc.args.push(args);
    }
    return token;
  }

  private addTextChoice(choice: Json): boolean {
    const fold = this.choiceAt(choice);
    return this.append(fold.text, choice['text']);
  }

  /** Appends a non-empty string piece (when content is kept); true when there was one. */
  private append(into: string[], piece: unknown): boolean {
    if (typeof piece !== 'string' || piece === '') return false;
    if (this.keepContent) into.push(piece);
    return true;
  }
}

function chatChoice(c: ChoiceFold): Json {
  const message: Record<string, unknown> = { role: c.role ?? 'assistant', content: c.content.join('') };
  if (c.reasoning.length) message['reasoning_content'] = c.reasoning.join('');
  if (c.refusal.length) message['refusal'] = c.refusal.join('');
  if (c.toolCalls.size) {
    message['tool_calls'] = [...c.toolCalls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([, tc]) => ({
        ...(tc.id ? { id: tc.id } : {}),
        type: tc.type ?? 'function',
        function: { name: tc.name.join(''), arguments: tc.args.join('') },
      }));
  }
  return { message, index: c.index, finish_reason: c.finishReason ?? 'stop' };
}

function textChoice(c: ChoiceFold): Json {
  return { text: c.text.join(''), index: c.index, finish_reason: c.finishReason ?? 'stop' };
}
