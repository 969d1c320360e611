/**
 * End to end against the real parts: the gateway exports OTLP (http/protobuf, the default)
 * to a real Phoenix, directly and through a real OpenTelemetry Collector
 * (`configs/otel-collector.yaml`), and the spans are read back through Phoenix's REST API.
 * A second run with the OpenInference hide variables must leave no prompt text in Phoenix.
 *
 * Needs `scripts/lab/install.sh` (run by `npm run test:e2e`).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type FakeUpstream, writeEndpointsFile } from '../helpers/fake-upstream.js';
import { type RunningGateway, startGateway } from '../helpers/gateway-process.js';
import { CHAT_USAGE, EMBEDDING_USAGE, startOpenAIUpstream } from '../helpers/openai-upstream.js';
import { type LabProcess, Phoenix, type PhoenixSpan, startCollector } from './lab.js';

const SECRET = 'the-launch-code-is-0000';

describe('e2e: spans in a real Phoenix', () => {
  let phoenix: Phoenix;
  let upstream: FakeUpstream;
  let endpoints: string;

  before(async () => {
    phoenix = await Phoenix.start();
    upstream = await startOpenAIUpstream();
    endpoints = writeEndpointsFile({
      qwen: [upstream.address],
      bge: [upstream.address],
      'missing-upstream': [upstream.address],
    });
  });

  after(async () => {
    await upstream?.close();
    await phoenix?.process.stop();
  });

  /** Chat (plain and streamed), embeddings and an upstream error, through `gateway`. */
  async function sendTraffic(gateway: RunningGateway, prefix: string, prompt: string): Promise<void> {
    const requests: [string, string, unknown][] = [
      ['chat', '/v1/chat/completions', { model: 'qwen', messages: [{ role: 'user', content: prompt }] }],
      [
        'stream',
        '/v1/chat/completions',
        {
          model: 'qwen',
          messages: [{ role: 'user', content: prompt }],
          stream: true,
          stream_options: { include_usage: true },
        },
      ],
      ['emb', '/v1/embeddings', { model: 'bge', input: [prompt] }],
      [
        'err',
        '/v1/chat/completions',
        { model: 'missing-upstream', messages: [{ role: 'user', content: prompt }] },
      ],
    ];
    for (const [name, path, body] of requests) {
      const res = await fetch(`${gateway.url}${path}`, {
        method: 'POST',
        headers: { 'x-request-id': `${prefix}-${name}`, 'agent-session-id': `${prefix}-session` },
        body: JSON.stringify(body),
      });
      await res.text();
    }
  }

  function checkSpans(spans: Record<string, PhoenixSpan>, prefix: string, prompt: string): void {
    const chat = spans['chat']!;
    assert.equal(chat.name, 'ChatCompletion');
    assert.equal(chat.span_kind, 'LLM');
    assert.equal(chat.status_code, 'OK');
    const a = chat.attributes;
    assert.equal(a['llm.model_name'], 'qwen-2025');
    assert.equal(a['llm.input_messages.0.message.role'], 'user');
    assert.equal(a['llm.input_messages.0.message.content'], prompt);
    assert.equal(a['llm.output_messages.0.message.content'], `You said: ${prompt}`);
    assert.equal(a['llm.token_count.prompt'], CHAT_USAGE.prompt_tokens);
    assert.equal(a['llm.token_count.completion'], CHAT_USAGE.completion_tokens);
    assert.equal(a['llm.token_count.total'], CHAT_USAGE.total_tokens);
    assert.equal(a['session.id'], `${prefix}-session`);
    assert.equal(a['switchyard.routing.endpoint'], upstream.address);
    assert.equal(a['switchyard.routing.algorithm'], 'random');
    assert.deepEqual(a['switchyard.routing.candidates'], [upstream.address]);

    const stream = spans['stream']!;
    assert.equal(stream.span_kind, 'LLM');
    assert.equal(stream.attributes['llm.output_messages.0.message.content'], `You said: ${prompt}`);
    assert.equal(stream.attributes['llm.token_count.completion'], CHAT_USAGE.completion_tokens);
    assert.deepEqual(
      stream.events.map((e) => e.name),
      ['First Token Stream Event'],
    );

    const emb = spans['emb']!;
    assert.equal(emb.name, 'CreateEmbeddings');
    assert.equal(emb.span_kind, 'EMBEDDING');
    assert.equal(emb.attributes['embedding.model_name'], 'bge');
    assert.equal(emb.attributes['embedding.embeddings.0.embedding.text'], prompt);
    assert.equal(emb.attributes['llm.token_count.prompt'], EMBEDDING_USAGE.prompt_tokens);

    const err = spans['err']!;
    assert.equal(err.status_code, 'ERROR');
    assert.match(err.status_message ?? '', /^NotFoundError: Error code: 404/);
    const exception = err.events.find((e) => e.name === 'exception');
    assert.equal(exception?.attributes?.['exception.type'], 'NotFoundError');
  }

  async function spansOf(project: string, prefix: string): Promise<Record<string, PhoenixSpan>> {
    const out: Record<string, PhoenixSpan> = {};
    for (const name of ['chat', 'stream', 'emb', 'err'])
      out[name] = await phoenix.spanFor(project, `${prefix}-${name}`);
    return out;
  }

  it('receives the gateway spans directly over OTLP/HTTP protobuf', async () => {
    const gateway = await startGateway(['--endpoints-config', endpoints], {
      OTEL_EXPORTER_OTLP_ENDPOINT: phoenix.url,
      OTEL_RESOURCE_ATTRIBUTES: 'openinference.project.name=e2e-direct',
      OTEL_BSP_SCHEDULE_DELAY: '200',
    });
    try {
      await sendTraffic(gateway, 'direct', 'What is Phoenix?');
    } finally {
      await gateway.stop();
    }
    checkSpans(await spansOf('e2e-direct', 'direct'), 'direct', 'What is Phoenix?');
  });

  it('holds __REDACTED__ and no prompt text when the hide variables are set', async () => {
    const gateway = await startGateway(['--endpoints-config', endpoints], {
      OTEL_EXPORTER_OTLP_ENDPOINT: phoenix.url,
      OTEL_RESOURCE_ATTRIBUTES: 'openinference.project.name=e2e-redacted',
      OTEL_BSP_SCHEDULE_DELAY: '200',
      OPENINFERENCE_HIDE_INPUTS: 'true',
      OPENINFERENCE_HIDE_OUTPUTS: 'true',
      OPENINFERENCE_HIDE_EMBEDDINGS_TEXT: 'true',
    });
    try {
      await sendTraffic(gateway, 'redacted', SECRET);
    } finally {
      await gateway.stop();
    }
    const spans = await spansOf('e2e-redacted', 'redacted');
    assert.equal(spans['chat']!.attributes['input.value'], '__REDACTED__');
    assert.equal(spans['chat']!.attributes['output.value'], '__REDACTED__');
    assert.equal(spans['stream']!.attributes['output.value'], '__REDACTED__');
    assert.equal(spans['chat']!.attributes['llm.token_count.prompt'], CHAT_USAGE.prompt_tokens);
    const stored = JSON.stringify(await phoenix.spans('e2e-redacted'));
    assert.equal(stored.includes(SECRET), false, 'prompt text stored in Phoenix');
    assert.equal(stored.includes('You said'), false, 'answer text stored in Phoenix');
  });

  it('receives the same spans through a real OpenTelemetry Collector', async () => {
    let collector: LabProcess | undefined;
    try {
      const started = await startCollector(phoenix.port);
      collector = started.process;
      const gateway = await startGateway(['--endpoints-config', endpoints], {
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${started.otlpHttpPort}`,
        OTEL_RESOURCE_ATTRIBUTES: 'openinference.project.name=e2e-collector',
        OTEL_BSP_SCHEDULE_DELAY: '200',
      });
      try {
        await sendTraffic(gateway, 'collector', 'Through the collector?');
      } finally {
        await gateway.stop();
      }
      checkSpans(await spansOf('e2e-collector', 'collector'), 'collector', 'Through the collector?');
    } finally {
      await collector?.stop();
    }
  });
});
