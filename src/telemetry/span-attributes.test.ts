/**
 * Complete attribute maps of request spans (STYLE habit 12): each case shows every key the
 * span carries. The first three compare with Envoy AI Gateway's golden OpenInference spans
 * (`shared/reference/aigw/span-chat-*.json`), fed the recorded requests and responses
 * behind them; the rest are this project's own fixtures.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { Errors } from '../api/errors.js';
import { type Operation, parseInferenceRequest } from '../api/inference-request.js';
import type { RoutingDecision } from '../routing/decision.js';
import { REDACTED, Redactor } from './openinference/redaction.js';
import { DEFAULT_TRACE_CONFIG, type TraceConfig } from './openinference/trace-config.js';
import type { RequestOutcome } from './request-telemetry.js';
import { ResponseCollector, type ResponseFacts } from './response/response-collector.js';
import { type SpanRecord, spanAttributes } from './span-attributes.js';

// ---- fixtures -------------------------------------------------------------------------

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
/** `shared/` sits beside the repository (CI), else it is the workplace's `/work/shared`. */
function referenceDir(): string {
  const candidates = [
    process.env['SWITCHYARD_REFERENCE_DIR'],
    join(repoRoot, '../shared/reference/aigw'),
    '/work/shared/reference/aigw',
  ].filter((p): p is string => Boolean(p));
  const found = candidates.find((p) => existsSync(join(p, 'span-chat-basic.json')));
  if (!found) throw new Error(`golden spans not found; looked in ${candidates.join(', ')}`);
  return found;
}

type AttrMap = Record<string, unknown>;

function golden(name: string): {
  attributes: AttrMap;
  events: { name: string; attributes?: AttrMap }[];
  status: { code: string };
} {
  const span = JSON.parse(readFileSync(join(referenceDir(), name), 'utf8'));
  const toMap = (list: { key: string; value: Record<string, unknown> }[] = []) =>
    Object.fromEntries(
      list.map(({ key, value }) => [
        key,
        'intValue' in value ? Number(value['intValue']) : Object.values(value)[0],
      ]),
    );
  return {
    attributes: toMap(span.attributes),
    events: (span.events ?? []).map((e: { name: string; attributes?: [] }) => ({
      name: e.name,
      attributes: toMap(e.attributes),
    })),
    status: span.status,
  };
}

function cassette(name: string): { request: string; status: number; response: string; contentType: string } {
  const doc = parseYaml(readFileSync(join(referenceDir(), name), 'utf8'));
  const interaction = doc.interactions[0];
  return {
    request: interaction.request.body,
    status: interaction.response.code,
    response: interaction.response.body,
    contentType: interaction.response.headers['Content-Type'][0],
  };
}

/** Feeds a response through the real collector, chunk by chunk, as the relay would. */
function collect(
  operation: Operation,
  status: number,
  contentType: string,
  chunks: readonly string[],
): { facts: ResponseFacts; firstTokens: number } {
  let clock = 0;
  let firstTokens = 0;
  const collector = new ResponseCollector({
    operation,
    keepContent: true,
    maxBodyBytes: 1 << 20,
    onFirstToken: () => firstTokens++,
    now: () => ++clock,
  });
  collector.onResponse(status, { 'content-type': contentType });
  let bytes = 0;
  for (const c of chunks) {
    collector.onChunk(Buffer.from(c));
    bytes += Buffer.byteLength(c);
  }
  collector.onEnd({ outcome: 'complete', bytes });
  return { facts: collector.facts()!, firstTokens };
}

const DECISION: RoutingDecision = {
  algorithm: 'least-request',
  strategy: 'least-request',
  backend: 'pool',
  endpoint: '10.0.0.2:8000',
  candidates: ['10.0.0.1:8000', '10.0.0.2:8000'],
  score: 0,
};
const ROUTING_ATTRS = {
  'switchyard.routing.algorithm': 'least-request',
  'switchyard.routing.strategy': 'least-request',
  'switchyard.routing.backend': 'pool',
  'switchyard.routing.endpoint': '10.0.0.2:8000',
  'switchyard.routing.candidates': ['10.0.0.1:8000', '10.0.0.2:8000'],
  'switchyard.routing.score': 0,
  'switchyard.routing.fallback': false,
  'switchyard.routing.attempts': 1,
};
const OK: RequestOutcome = { status: 200, clientAborted: false, relay: 'complete' };

function record(
  operation: Operation,
  body: string,
  response: ResponseFacts | undefined,
  outcome = OK,
): SpanRecord {
  const request = parseInferenceRequest(operation, Buffer.from(body));
  return {
    operation,
    requestId: 'req-1',
    request,
    ...(response ? { response } : {}),
    decision: DECISION,
    upstream: { provider: 'openai', model: request.model },
    attempts: 1,
    headerAttributes: { 'session.id': 'sess-1' },
    outcome,
  };
}

function attributesOf(rec: SpanRecord, config: Partial<TraceConfig> = {}) {
  const sink = new Redactor({ ...DEFAULT_TRACE_CONFIG, ...config }).sink();
  const failure = spanAttributes(sink, rec);
  return { attributes: sink.attributes, failure };
}

/** JSON-valued attributes compared by value: the golden spans were serialised by Python. */
const JSON_KEYS = [
  'input.value',
  'output.value',
  'llm.invocation_parameters',
  'embedding.invocation_parameters',
];
function normalised(map: AttrMap): AttrMap {
  const out: AttrMap = {};
  for (const [k, v] of Object.entries(map))
    out[k] = JSON_KEYS.includes(k) && typeof v === 'string' ? JSON.parse(v) : v;
  return out;
}

/** What Switchyard adds to every span beyond the golden spans. */
const SWITCHYARD_EXTRAS = {
  ...ROUTING_ATTRS,
  'session.id': 'sess-1',
  'switchyard.request_id': 'req-1',
};

// ---- golden spans -----------------------------------------------------------------------

describe('span attributes against the golden spans', () => {
  it('span-chat-basic: a non-streamed chat completion', () => {
    const c = cassette('cassette-chat-basic.yaml');
    const { facts } = collect('chat', c.status, c.contentType, [
      c.response.slice(0, 100),
      c.response.slice(100),
    ]);
    const { attributes, failure } = attributesOf(record('chat', c.request, facts));
    const g = golden('span-chat-basic.json');
    assert.deepEqual(
      normalised(attributes),
      normalised({
        ...g.attributes,
        ...SWITCHYARD_EXTRAS,
        'llm.provider': 'openai',
        'http.response.status_code': 200,
      }),
    );
    assert.equal(failure, undefined);
    assert.equal(g.status.code, 'STATUS_CODE_OK');
  });

  it('span-chat-streaming: a streamed chat completion folded into one response', () => {
    const g = golden('span-chat-streaming.json');
    const expectedOutput = JSON.parse(String(g.attributes['output.value']));
    const content: string = expectedOutput.choices[0].message.content;
    const top = {
      id: expectedOutput.id,
      object: 'chat.completion.chunk',
      created: expectedOutput.created,
      model: expectedOutput.model,
      service_tier: 'default',
    };
    // Our own recording of such a stream: role first, content in pieces, then finish_reason.
    const pieces = ['', content.slice(0, 9), content.slice(9, 60), content.slice(60)];
    const events: Record<string, unknown>[] = pieces.map((piece, i) => ({
      ...top,
      choices: [
        {
          index: 0,
          delta: i === 0 ? { role: 'assistant', content: '' } : { content: piece },
          finish_reason: null,
        },
      ],
      obfuscation: i === 0 ? expectedOutput.obfuscation : `other${i}`,
    }));
    events.push({ ...top, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], obfuscation: 'last' });
    const sse = `${events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('')}data: [DONE]\n\n`;
    const { facts, firstTokens } = collect('chat', 200, 'text/event-stream', [
      sse.slice(0, 333),
      sse.slice(333),
    ]);
    const request = String(g.attributes['input.value']);
    const { attributes } = attributesOf(record('chat', request, facts));
    assert.deepEqual(
      normalised(attributes),
      normalised({
        ...g.attributes,
        ...SWITCHYARD_EXTRAS,
        'llm.provider': 'openai',
        'http.response.status_code': 200,
      }),
    );
    assert.equal(firstTokens, 1, 'one first-token event');
    assert.deepEqual(
      g.events.map((e) => e.name),
      ['First Token Stream Event'],
    );
  });

  it('span-chat-unknown-model: an upstream 404 becomes status ERROR with an exception event', () => {
    const c = cassette('cassette-chat-unknown-model.yaml');
    const { facts } = collect('chat', c.status, c.contentType, [c.response]);
    const outcome: RequestOutcome = { status: 404, clientAborted: false, relay: 'complete' };
    const { attributes, failure } = attributesOf(record('chat', c.request, facts, outcome));
    const g = golden('span-chat-unknown-model.json');
    assert.deepEqual(
      normalised(attributes),
      normalised({
        ...g.attributes,
        ...SWITCHYARD_EXTRAS,
        'llm.provider': 'openai',
        // Not in the golden span: the requested model, so Phoenix shows it on failed calls too.
        'llm.model_name': 'gpt-4.1-nano-wrong',
        'http.response.status_code': 404,
      }),
    );
    const exception = g.events.find((e) => e.name === 'exception')!;
    assert.equal(exception.attributes?.['exception.type'], `openai.${failure!.exceptionType}`);
    assert.equal(failure!.message(), `Error code: 404 - ${c.response.trim()}`);
    assert.match(String(exception.attributes?.['exception.message']), /^Error code: 404 - /);
    assert.equal(g.status.code, 'STATUS_CODE_ERROR');
    assert.equal(failure!.errorType, '404');
  });
});

// ---- this project's fixtures ------------------------------------------------------------

const TOOL = {
  type: 'function',
  function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
};
const CHAT_REQUEST = JSON.stringify({
  model: 'qwen',
  temperature: 0.2,
  messages: [
    { role: 'system', content: 'Be brief.' },
    {
      role: 'user',
      content: [
        { type: 'text', text: 'What is in this picture, and the weather in Oslo?' },
        { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
        { type: 'image_url', image_url: { url: `data:image/png;base64,${'iVBOR'.repeat(10)}` } },
        { type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } },
      ],
    },
    {
      role: 'assistant',
      content: null,
      tool_calls: [
        { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
      ],
    },
    { role: 'tool', tool_call_id: 'call_1', content: '{"temp":3}' },
  ],
  tools: [TOOL],
});
const CHAT_RESPONSE = JSON.stringify({
  id: 'chatcmpl-9',
  object: 'chat.completion',
  model: 'qwen-2.5',
  choices: [
    {
      index: 0,
      finish_reason: 'tool_calls',
      message: {
        role: 'assistant',
        content: 'A cat. Checking the weather.',
        tool_calls: [
          {
            id: 'call_2',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Bergen"}' },
          },
        ],
      },
    },
  ],
  usage: {
    prompt_tokens: 120,
    completion_tokens: 30,
    total_tokens: 150,
    prompt_tokens_details: { cached_tokens: 64, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 12, audio_tokens: 0 },
  },
});

function chatSpan(config: Partial<TraceConfig> = {}) {
  const { facts } = collect('chat', 200, 'application/json', [CHAT_RESPONSE]);
  return attributesOf(record('chat', CHAT_REQUEST, facts), config);
}

const IN = 'llm.input_messages';
const OUT = 'llm.output_messages';
const COMMON = { ...SWITCHYARD_EXTRAS, 'http.response.status_code': 200 };
/** The token counts of CHAT_RESPONSE's usage, as attributes. */
const CHAT_TOKEN_COUNTS = {
  'llm.token_count.prompt': 120,
  'llm.token_count.prompt_details.cache_read': 64,
  'llm.token_count.prompt_details.audio': 0,
  'llm.token_count.completion': 30,
  'llm.token_count.completion_details.reasoning': 12,
  'llm.token_count.completion_details.audio': 0,
  'llm.token_count.total': 150,
};

describe('span attributes: chat', () => {
  it('records messages, content parts, images, tool calls, tools, parameters and token details', () => {
    assert.deepEqual(chatSpan().attributes, {
      'openinference.span.kind': 'LLM',
      'llm.system': 'openai',
      'llm.provider': 'openai',
      'llm.model_name': 'qwen-2.5',
      'input.value': CHAT_REQUEST,
      'input.mime_type': 'application/json',
      'llm.invocation_parameters': '{"model":"qwen","temperature":0.2}',
      [`${IN}.0.message.role`]: 'system',
      [`${IN}.0.message.content`]: 'Be brief.',
      [`${IN}.1.message.role`]: 'user',
      [`${IN}.1.message.contents.0.message_content.type`]: 'text',
      [`${IN}.1.message.contents.0.message_content.text`]:
        'What is in this picture, and the weather in Oslo?',
      [`${IN}.1.message.contents.1.message_content.type`]: 'image',
      [`${IN}.1.message.contents.1.message_content.image.image.url`]: 'https://example.com/cat.png',
      [`${IN}.1.message.contents.2.message_content.type`]: 'image',
      [`${IN}.1.message.contents.2.message_content.image.image.url`]: `data:image/png;base64,${'iVBOR'.repeat(10)}`,
      [`${IN}.2.message.role`]: 'assistant',
      [`${IN}.2.message.tool_calls.0.tool_call.id`]: 'call_1',
      [`${IN}.2.message.tool_calls.0.tool_call.function.name`]: 'get_weather',
      [`${IN}.2.message.tool_calls.0.tool_call.function.arguments`]: '{"city":"Oslo"}',
      [`${IN}.3.message.role`]: 'tool',
      [`${IN}.3.message.tool_call_id`]: 'call_1',
      [`${IN}.3.message.content`]: '{"temp":3}',
      'llm.tools.0.tool.json_schema': JSON.stringify(TOOL),
      'output.value': CHAT_RESPONSE,
      'output.mime_type': 'application/json',
      [`${OUT}.0.message.role`]: 'assistant',
      [`${OUT}.0.message.content`]: 'A cat. Checking the weather.',
      [`${OUT}.0.message.tool_calls.0.tool_call.id`]: 'call_2',
      [`${OUT}.0.message.tool_calls.0.tool_call.function.name`]: 'get_weather',
      [`${OUT}.0.message.tool_calls.0.tool_call.function.arguments`]: '{"city":"Bergen"}',
      ...CHAT_TOKEN_COUNTS,
      ...COMMON,
    });
  });

  it('with inputs and outputs hidden: no text of the conversation at all', () => {
    const { attributes } = chatSpan({ hideInputs: true, hideOutputs: true });
    assert.deepEqual(attributes, {
      'openinference.span.kind': 'LLM',
      'llm.system': 'openai',
      'llm.provider': 'openai',
      'llm.model_name': 'qwen-2.5',
      'input.value': REDACTED,
      'llm.invocation_parameters': '{"model":"qwen","temperature":0.2}',
      'output.value': REDACTED,
      ...CHAT_TOKEN_COUNTS,
      ...COMMON,
    });
  });

  it('with text hidden: messages keep their shape, text and tool-call arguments are redacted', () => {
    const { attributes } = chatSpan({ hideInputText: true, hideOutputText: true, base64ImageMaxLength: 20 });
    const changed = Object.fromEntries(
      Object.entries(attributes).filter(
        ([k, v]) => (k.startsWith(IN) || k.startsWith(OUT)) && v === REDACTED,
      ),
    );
    assert.deepEqual(changed, {
      [`${IN}.0.message.content`]: REDACTED,
      [`${IN}.1.message.contents.0.message_content.text`]: REDACTED,
      [`${IN}.1.message.contents.2.message_content.image.image.url`]: REDACTED,
      [`${IN}.2.message.tool_calls.0.tool_call.function.arguments`]: REDACTED,
      [`${IN}.3.message.content`]: REDACTED,
      [`${OUT}.0.message.content`]: REDACTED,
      [`${OUT}.0.message.tool_calls.0.tool_call.function.arguments`]: REDACTED,
    });
    assert.equal(
      attributes[`${IN}.1.message.contents.1.message_content.image.image.url`],
      'https://example.com/cat.png',
    );
    assert.equal(attributes[`${OUT}.0.message.tool_calls.0.tool_call.function.name`], 'get_weather');
  });

  it('records routing fallback, prefix match and the prefill step', () => {
    const rec: SpanRecord = {
      ...record('chat', CHAT_REQUEST, undefined, { status: 0, clientAborted: true }),
      decision: {
        algorithm: 'prefix-cache',
        strategy: 'prefix-cache->least-request',
        backend: 'pd',
        endpoint: '10.0.0.9:8000',
        prefillEndpoint: '10.0.0.8:8000',
        candidates: ['10.0.0.8:8000', '10.0.0.9:8000'],
        score: 0.75,
        matchRatio: 0.5,
        fallbackReason: 'no prefix match above threshold',
      },
      attempts: 2,
      prefill: { endpoint: '10.0.0.8:8000', startedAt: 1, durationMs: 12.5, status: 200 },
    };
    const { attributes, failure } = attributesOf(rec);
    const routing = Object.fromEntries(
      Object.entries(attributes).filter(([k]) => k.startsWith('switchyard.')),
    );
    assert.deepEqual(routing, {
      'switchyard.routing.algorithm': 'prefix-cache',
      'switchyard.routing.strategy': 'prefix-cache->least-request',
      'switchyard.routing.backend': 'pd',
      'switchyard.routing.endpoint': '10.0.0.9:8000',
      'switchyard.routing.candidates': ['10.0.0.8:8000', '10.0.0.9:8000'],
      'switchyard.routing.score': 0.75,
      'switchyard.routing.match_ratio': 0.5,
      'switchyard.routing.fallback': true,
      'switchyard.routing.fallback_reason': 'no prefix match above threshold',
      'switchyard.routing.attempts': 2,
      'switchyard.routing.prefill_endpoint': '10.0.0.8:8000',
      'switchyard.routing.prefill_duration_ms': 12.5,
      'switchyard.request_id': 'req-1',
      'switchyard.client_aborted': true,
    });
    assert.equal(failure, undefined, 'a client that left is not a failure');
  });

  it('describes a gateway error when no upstream answered', () => {
    const error = Errors.upstreamConnect('qwen');
    const rec = record('chat', CHAT_REQUEST, undefined, {
      status: 502,
      error,
      upstreamFailure: 'connect',
      clientAborted: false,
    });
    const { attributes, failure } = attributesOf(rec);
    assert.equal(attributes['llm.model_name'], 'qwen');
    assert.equal(attributes['http.response.status_code'], 502);
    assert.equal('output.value' in attributes, false);
    assert.equal(failure!.exceptionType, 'InternalServerError');
    assert.equal(failure!.errorType, 'upstream_connect_error');
    assert.equal(failure!.message(), `Error code: 502 - ${JSON.stringify(error.toBody())}`);
  });
});

describe('span attributes: completions and embeddings', () => {
  it('records a text completion: prompts, choices, token counts', () => {
    const request = JSON.stringify({ model: 'qwen', prompt: ['Once', 'Twice'], max_tokens: 4 });
    const response = JSON.stringify({
      id: 'cmpl-1',
      object: 'text_completion',
      model: 'qwen',
      choices: [
        { index: 0, text: ' upon a time', finish_reason: 'length' },
        { index: 1, text: ' shy', finish_reason: 'stop' },
      ],
      usage: { prompt_tokens: 2, completion_tokens: 5, total_tokens: 7 },
    });
    const { facts } = collect('completion', 200, 'application/json', [response]);
    assert.deepEqual(attributesOf(record('completion', request, facts)).attributes, {
      'openinference.span.kind': 'LLM',
      'llm.system': 'openai',
      'llm.provider': 'openai',
      'llm.model_name': 'qwen',
      'input.value': request,
      'input.mime_type': 'application/json',
      'llm.invocation_parameters': '{"model":"qwen","max_tokens":4}',
      'llm.prompts.0.prompt.text': 'Once',
      'llm.prompts.1.prompt.text': 'Twice',
      'output.value': response,
      'output.mime_type': 'application/json',
      'llm.choices.0.completion.text': ' upon a time',
      'llm.choices.1.completion.text': ' shy',
      'llm.token_count.prompt': 2,
      'llm.token_count.completion': 5,
      'llm.token_count.total': 7,
      ...COMMON,
    });
  });

  it('records a streamed text completion folded into choices', () => {
    const request = JSON.stringify({
      model: 'qwen',
      prompt: 'Hi',
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [
      {
        id: 'c',
        object: 'text_completion',
        model: 'qwen',
        choices: [{ index: 0, text: 'Hel', finish_reason: null }],
      },
      {
        id: 'c',
        object: 'text_completion',
        model: 'qwen',
        choices: [{ index: 0, text: 'lo', finish_reason: 'stop' }],
      },
      {
        id: 'c',
        object: 'text_completion',
        model: 'qwen',
        choices: [],
        usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
      },
    ];
    const sse = `${chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join('')}data: [DONE]\n\n`;
    const { facts, firstTokens } = collect('completion', 200, 'text/event-stream', [sse]);
    const { attributes } = attributesOf(record('completion', request, facts));
    assert.equal(firstTokens, 1);
    assert.deepEqual(JSON.parse(String(attributes['output.value'])), {
      id: 'c',
      object: 'text_completion',
      model: 'qwen',
      choices: [{ index: 0, text: 'Hello', finish_reason: 'stop' }],
      usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
    });
    assert.equal(attributes['llm.choices.0.completion.text'], 'Hello');
    assert.equal(attributes['llm.token_count.completion'], 2);
  });

  it('records embeddings: texts, vectors (base64 decoded), model and token counts; no llm.system', () => {
    const request = JSON.stringify({ model: 'bge', input: ['alpha', 'beta'], encoding_format: 'base64' });
    const base64 = Buffer.from(new Float32Array([1.5, -2]).buffer).toString('base64');
    const response = JSON.stringify({
      object: 'list',
      model: 'bge-m3',
      data: [
        { object: 'embedding', index: 0, embedding: base64 },
        { object: 'embedding', index: 1, embedding: [0.25, 0.5] },
      ],
      usage: { prompt_tokens: 4, total_tokens: 4 },
    });
    const { facts } = collect('embeddings', 200, 'application/json', [response]);
    assert.deepEqual(attributesOf(record('embeddings', request, facts)).attributes, {
      'openinference.span.kind': 'EMBEDDING',
      'embedding.model_name': 'bge-m3',
      'input.value': request,
      'input.mime_type': 'application/json',
      'embedding.invocation_parameters': '{"model":"bge","encoding_format":"base64"}',
      'embedding.embeddings.0.embedding.text': 'alpha',
      'embedding.embeddings.1.embedding.text': 'beta',
      'embedding.embeddings.0.embedding.vector': [1.5, -2],
      'embedding.embeddings.1.embedding.vector': [0.25, 0.5],
      'llm.token_count.prompt': 4,
      'llm.token_count.total': 4,
      ...ROUTING_ATTRS,
      'session.id': 'sess-1',
      'switchyard.request_id': 'req-1',
      'http.response.status_code': 200,
    });
  });

  it('hides embedding texts and vectors when asked', () => {
    const request = JSON.stringify({ model: 'bge', input: 'secret words' });
    const response = JSON.stringify({
      model: 'bge',
      data: [{ index: 0, embedding: [0.1] }],
      usage: { prompt_tokens: 2 },
    });
    const { facts } = collect('embeddings', 200, 'application/json', [response]);
    const { attributes } = attributesOf(record('embeddings', request, facts), {
      hideEmbeddingsText: true,
      hideEmbeddingsVectors: true,
    });
    assert.equal(attributes['embedding.embeddings.0.embedding.text'], REDACTED);
    assert.equal('embedding.embeddings.0.embedding.vector' in attributes, false);
  });
});
