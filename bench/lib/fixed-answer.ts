/**
 * The fixed answer of the benchmarks' model server: one chat completion, as JSON and as
 * the SSE events of a stream (40 content events, a finish event, a usage event, [DONE]).
 * The overhead harness's upstream serves it; the telemetry micro-benchmark feeds it.
 */
const CONTENT = 'The quick brown fox jumps over the lazy dog. '.repeat(4).trim();
const USAGE = { prompt_tokens: 24, completion_tokens: 40, total_tokens: 64 };
const BASE = { id: 'chatcmpl-bench', created: 1_700_000_000, model: 'bench-model' };

/** The non-streaming answer's body. */
export const JSON_ANSWER = JSON.stringify({
  ...BASE,
  object: 'chat.completion',
  choices: [{ index: 0, message: { role: 'assistant', content: CONTENT }, finish_reason: 'stop' }],
  usage: USAGE,
});

/** The streamed answer, one string per SSE event. */
export const SSE_EVENTS: readonly string[] = [
  {
    ...BASE,
    object: 'chat.completion.chunk',
    choices: [{ index: 0, delta: { role: 'assistant', content: '' } }],
  },
  ...CONTENT.split(' ').map((w, i) => ({
    ...BASE,
    object: 'chat.completion.chunk',
    choices: [{ index: 0, delta: { content: i ? ` ${w}` : w }, finish_reason: null }],
  })),
  { ...BASE, object: 'chat.completion.chunk', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
  { ...BASE, object: 'chat.completion.chunk', choices: [], usage: USAGE },
]
  .map((c) => `data: ${JSON.stringify(c)}\n\n`)
  .concat('data: [DONE]\n\n');

/** The stream as the fixed upstream writes it: eight events per write. */
export const SSE_WRITES: readonly string[] = Array.from(
  { length: Math.ceil(SSE_EVENTS.length / 8) },
  (_, i) => SSE_EVENTS.slice(i * 8, i * 8 + 8).join(''),
);
