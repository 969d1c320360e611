import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { capturesMessages, DEFAULT_TRACE_CONFIG, HIDE_VARIABLES, traceConfigFrom } from './trace-config.js';

describe('traceConfigFrom', () => {
  it('defaults to showing everything, with a 32000-character base64 image limit', () => {
    assert.deepEqual(traceConfigFrom({}), { config: DEFAULT_TRACE_CONFIG, problems: [] });
    assert.equal(DEFAULT_TRACE_CONFIG.base64ImageMaxLength, 32_000);
  });

  it('reads every OPENINFERENCE_HIDE_* variable', () => {
    for (const [key, variable] of Object.entries(HIDE_VARIABLES)) {
      const { config, problems } = traceConfigFrom({ [variable]: 'TRUE' });
      assert.deepEqual(problems, []);
      assert.deepEqual(config, { ...DEFAULT_TRACE_CONFIG, [key]: true }, variable);
    }
    assert.deepEqual(Object.values(HIDE_VARIABLES).sort(), [
      'OPENINFERENCE_HIDE_CHOICES',
      'OPENINFERENCE_HIDE_EMBEDDINGS_TEXT',
      'OPENINFERENCE_HIDE_EMBEDDINGS_VECTORS',
      'OPENINFERENCE_HIDE_INPUTS',
      'OPENINFERENCE_HIDE_INPUT_IMAGES',
      'OPENINFERENCE_HIDE_INPUT_MESSAGES',
      'OPENINFERENCE_HIDE_INPUT_TEXT',
      'OPENINFERENCE_HIDE_LLM_INVOCATION_PARAMETERS',
      'OPENINFERENCE_HIDE_OUTPUTS',
      'OPENINFERENCE_HIDE_OUTPUT_MESSAGES',
      'OPENINFERENCE_HIDE_OUTPUT_TEXT',
      'OPENINFERENCE_HIDE_PROMPTS',
    ]);
  });

  it('lets an explicit option win over the environment', () => {
    const { config } = traceConfigFrom({ OPENINFERENCE_HIDE_INPUTS: 'true' }, { hideInputs: false });
    assert.equal(config.hideInputs, false);
  });

  it('reads the base64 image limit and reports values it cannot use', () => {
    assert.equal(
      traceConfigFrom({ OPENINFERENCE_BASE64_IMAGE_MAX_LENGTH: '100' }).config.base64ImageMaxLength,
      100,
    );
    assert.deepEqual(
      traceConfigFrom({ OPENINFERENCE_BASE64_IMAGE_MAX_LENGTH: '-1', OPENINFERENCE_HIDE_INPUTS: 'yes' })
        .problems,
      [
        'OPENINFERENCE_HIDE_INPUTS="yes" must be true or false',
        'OPENINFERENCE_BASE64_IMAGE_MAX_LENGTH="-1" must be a non-negative integer',
      ],
    );
  });

  it('knows when messages are recorded', () => {
    assert.equal(capturesMessages(DEFAULT_TRACE_CONFIG), true);
    assert.equal(
      capturesMessages({ ...DEFAULT_TRACE_CONFIG, hideInputs: true, hideOutputMessages: true }),
      false,
    );
    assert.equal(capturesMessages({ ...DEFAULT_TRACE_CONFIG, hideInputs: true }), true);
  });
});
