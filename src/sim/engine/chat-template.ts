/**
 * Renders chat messages into one prompt string, ChatML style (as Qwen's template does):
 *
 * ```
 * <|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n
 * ```
 *
 * Conversations that share their first messages share a token prefix, so the prefix cache
 * works across turns and across requests with the same system prompt, as on a real engine.
 */

/** A message as the API layer validated it: content is already flattened to text. */
export interface ChatMessage {
  readonly role: string;
  readonly content: string;
}

export function renderChat(messages: readonly ChatMessage[]): string {
  let out = '';
  for (const m of messages) out += `<|im_start|>${m.role}\n${m.content}<|im_end|>\n`;
  return `${out}<|im_start|>assistant\n`;
}
