import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REDACTED, Redactor } from './redaction.js';
import { DEFAULT_TRACE_CONFIG, type TraceConfig } from './trace-config.js';

type Setting = Partial<TraceConfig>;
const IN = 'llm.input_messages.0';
const OUT = 'llm.output_messages.0';
const LONG_IMAGE = `data:image/png;base64,${'A'.repeat(40)}`;

/** [setting, key, value, expected] — expected is the kept value, REDACTED, or undefined (dropped). */
const TABLE: readonly [Setting, string, string | number[], string | number[] | undefined][] = [
  [{}, 'input.value', '{"x":1}', '{"x":1}'],
  [{ hideInputs: true }, 'input.value', '{"x":1}', REDACTED],
  [{ hideInputs: true }, 'input.mime_type', 'application/json', undefined],
  [{ hideInputs: true }, `${IN}.message.content`, 'secret', undefined],
  [{ hideInputs: true }, 'llm.tools.0.tool.json_schema', '{}', undefined],
  [{ hideInputs: true }, 'llm.prompts.0.prompt.text', 'secret', undefined],
  [{ hideInputs: true }, 'embedding.embeddings.0.embedding.text', 'secret', undefined],
  [{ hideInputs: true }, 'llm.model_name', 'm', 'm'],
  [{ hideInputs: true }, 'llm.token_count.prompt', '3', '3'],
  [{ hideOutputs: true }, 'output.value', '{}', REDACTED],
  [{ hideOutputs: true }, 'output.mime_type', 'application/json', undefined],
  [{ hideOutputs: true }, `${OUT}.message.content`, 'secret', undefined],
  [{ hideOutputs: true }, 'llm.choices.0.completion.text', 'secret', undefined],
  [{ hideOutputs: true }, 'embedding.embeddings.0.embedding.vector', [0.1], undefined],
  [{ hideOutputs: true }, 'exception.message', 'Error code: 400 - echo of the prompt', REDACTED],
  [{ hideInputs: true }, 'exception.message', "Error code: 400 - 'input': 'the prompt'", REDACTED],
  [{}, 'exception.message', 'Error code: 404 - no such model', 'Error code: 404 - no such model'],
  [{ hideInputMessages: true }, `${IN}.message.role`, 'user', undefined],
  [{ hideInputMessages: true }, 'input.value', '{}', '{}'],
  [{ hideOutputMessages: true }, `${OUT}.message.role`, 'assistant', undefined],
  [{ hideInputText: true }, `${IN}.message.content`, 'secret', REDACTED],
  [{ hideInputText: true }, `${IN}.message.contents.0.message_content.text`, 'secret', REDACTED],
  [
    { hideInputText: true },
    `${IN}.message.tool_calls.0.tool_call.function.arguments`,
    '{"q":"secret"}',
    REDACTED,
  ],
  [{ hideInputText: true }, `${IN}.message.tool_calls.0.tool_call.function.name`, 'search', 'search'],
  [{ hideInputText: true }, `${IN}.message.role`, 'user', 'user'],
  [{ hideInputText: true }, `${OUT}.message.content`, 'visible', 'visible'],
  [{ hideOutputText: true }, `${OUT}.message.content`, 'secret', REDACTED],
  [{ hideOutputText: true }, `${OUT}.message.tool_calls.0.tool_call.function.arguments`, '{}', REDACTED],
  [{ hideOutputText: true }, `${IN}.message.content`, 'visible', 'visible'],
  [
    { hideInputImages: true },
    `${IN}.message.contents.1.message_content.image.image.url`,
    'https://x/y.png',
    undefined,
  ],
  [{ hideInputImages: true }, `${IN}.message.contents.1.message_content.type`, 'image', 'image'],
  [
    { base64ImageMaxLength: 10 },
    `${IN}.message.contents.1.message_content.image.image.url`,
    LONG_IMAGE,
    REDACTED,
  ],
  [
    { base64ImageMaxLength: 100 },
    `${IN}.message.contents.1.message_content.image.image.url`,
    LONG_IMAGE,
    LONG_IMAGE,
  ],
  [
    { base64ImageMaxLength: 10 },
    `${IN}.message.contents.1.message_content.image.image.url`,
    'https://x/' + 'y'.repeat(20),
    'https://x/' + 'y'.repeat(20),
  ],
  [{ hideEmbeddingsText: true }, 'embedding.embeddings.2.embedding.text', 'secret', REDACTED],
  [{ hideEmbeddingsVectors: true }, 'embedding.embeddings.2.embedding.vector', [0.5], undefined],
  [{ hideEmbeddingsVectors: true }, 'embedding.embeddings.2.embedding.text', 'visible', 'visible'],
  [{ hideLlmInvocationParameters: true }, 'llm.invocation_parameters', '{}', undefined],
  [{ hideLlmInvocationParameters: true }, 'embedding.invocation_parameters', '{}', undefined],
  [{ hidePrompts: true }, 'llm.prompts.1.prompt.text', 'secret', REDACTED],
  [{ hideChoices: true }, 'llm.choices.1.completion.text', 'secret', REDACTED],
  [{ hideInputs: true, hideOutputs: true }, 'switchyard.routing.endpoint', 'a:1', 'a:1'],
  [{ hideInputs: true, hideOutputs: true }, 'session.id', 's', 's'],
];

describe('redaction rule table', () => {
  for (const [setting, key, value, expected] of TABLE) {
    it(`${JSON.stringify(setting)}: ${key} -> ${expected === undefined ? 'dropped' : JSON.stringify(expected)}`, () => {
      const sink = new Redactor({ ...DEFAULT_TRACE_CONFIG, ...setting }).sink();
      sink.set(key, value);
      assert.deepEqual(sink.attributes[key], expected);
      assert.equal(key in sink.attributes, expected !== undefined);
    });
  }

  it('never builds a value that is hidden', () => {
    const sink = new Redactor({ ...DEFAULT_TRACE_CONFIG, hideInputs: true, hideOutputs: true }).sink();
    let built = 0;
    const build = () => {
      built++;
      return 'costly';
    };
    sink.set('input.value', build);
    sink.set('output.value', build);
    sink.set('llm.tools.0.tool.json_schema', build);
    sink.set('embedding.embeddings.0.embedding.vector', build);
    assert.equal(built, 0);
    assert.deepEqual(sink.attributes, { 'input.value': REDACTED, 'output.value': REDACTED });
    sink.set('llm.invocation_parameters', build);
    assert.equal(built, 1);
  });

  it('sets nothing for undefined values, built or plain', () => {
    const sink = new Redactor(DEFAULT_TRACE_CONFIG).sink();
    sink.set('a', undefined);
    sink.set('b', () => undefined);
    assert.deepEqual(sink.attributes, {});
  });
});
