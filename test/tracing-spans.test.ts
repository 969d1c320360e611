/**
 * Spans from the real gateway process, exported over OTLP/HTTP (http/json) to a real
 * receiver, for each operation, a stream, an upstream error, trace context in both
 * directions, and mapped headers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deferred, type FakeUpstream, writeEndpointsFile } from './helpers/fake-upstream.js';
import { type RunningGateway, startGateway } from './helpers/gateway-process.js';
import { CHAT_USAGE, startOpenAIUpstream } from './helpers/openai-upstream.js';
import { OtlpReceiver } from './helpers/otlp-receiver.js';

const SPAN_KIND_INTERNAL = 1;
const STATUS_OK = 1;
const STATUS_ERROR = 2;

describe('tracing: spans exported over OTLP', () => {
  let receiver: OtlpReceiver;
  let upstream: FakeUpstream;
  let gateway: RunningGateway;
  let gate = deferred();

  before(async () => {
    receiver = await OtlpReceiver.start();
    upstream = await startOpenAIUpstream({ gate: () => gate.promise });
    const file = writeEndpointsFile({
      qwen: [upstream.address],
      bge: [upstream.address],
      'missing-upstream': [upstream.address],
    });
    gateway = await startGateway(['--endpoints-config', file], {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '20',
      OTEL_SERVICE_NAME: 'switchyard-test',
      OTEL_RESOURCE_ATTRIBUTES: 'openinference.project.name=lab,deployment.environment=test',
      OTEL_AIGW_REQUEST_HEADER_ATTRIBUTES: 'x-team-id:team.id',
    });
  });

  after(async () => {
    await gateway?.stop();
    await upstream?.close();
    await receiver?.close();
  });

  async function post(path: string, requestId: string, body: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(`${gateway.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': requestId, ...headers },
      body: JSON.stringify(body),
    });
    return { res, text: await res.text() };
  }

  it('records a chat completion as an OpenInference LLM span, with resource, routing and mapped headers', async () => {
    const body = { model: 'qwen', messages: [{ role: 'user', content: 'hello there' }], temperature: 0 };
    const { res } = await post('/v1/chat/completions', 'chat-1', body, {
      'agent-session-id': 'session-42',
      'x-team-id': 'red',
    });
    assert.equal(res.status, 200);
    const span = await receiver.spanFor('chat-1');
    assert.equal(span.name, 'ChatCompletion');
    assert.equal(span.kind, SPAN_KIND_INTERNAL);
    assert.deepEqual(span.status, { code: STATUS_OK });
    const a = span.attributes;
    assert.deepEqual(
      {
        kind: a['openinference.span.kind'],
        system: a['llm.system'],
        model: a['llm.model_name'],
        input: a['input.value'],
        params: a['llm.invocation_parameters'],
        role0: a['llm.input_messages.0.message.role'],
        content0: a['llm.input_messages.0.message.content'],
        out: a['llm.output_messages.0.message.content'],
        prompt: a['llm.token_count.prompt'],
        completion: a['llm.token_count.completion'],
        total: a['llm.token_count.total'],
        cached: a['llm.token_count.prompt_details.cache_read'],
        reasoning: a['llm.token_count.completion_details.reasoning'],
        endpoint: a['switchyard.routing.endpoint'],
        candidates: a['switchyard.routing.candidates'],
        algorithm: a['switchyard.routing.algorithm'],
        session: a['session.id'],
        team: a['team.id'],
      },
      {
        kind: 'LLM',
        system: 'openai',
        model: 'qwen-2025',
        input: JSON.stringify(body),
        params: '{"model":"qwen","temperature":0}',
        role0: 'user',
        content0: 'hello there',
        out: 'You said: hello there',
        prompt: CHAT_USAGE.prompt_tokens,
        completion: CHAT_USAGE.completion_tokens,
        total: CHAT_USAGE.total_tokens,
        cached: 3,
        reasoning: 1,
        endpoint: upstream.address,
        candidates: [upstream.address],
        algorithm: 'random',
        session: 'session-42',
        team: 'red',
      },
    );
    assert.equal(span.resource['service.name'], 'switchyard-test');
    assert.equal(span.resource['openinference.project.name'], 'lab');
    assert.equal(span.resource['deployment.environment'], 'test');
  });

  it("continues the client's traceparent and passes its own span to the upstream", async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parent = '00f067aa0ba902b7';
    await post(
      '/v1/chat/completions',
      'trace-1',
      { model: 'qwen', messages: [{ role: 'user', content: 'x' }] },
      {
        traceparent: `00-${traceId}-${parent}-01`,
      },
    );
    const span = await receiver.spanFor('trace-1');
    assert.equal(span.traceId, traceId);
    assert.equal(span.parentSpanId, parent);
    const sent = upstream.requests.find((r) => r.headers['x-request-id'] === 'trace-1')!;
    assert.equal(sent.headers['traceparent'], `00-${traceId}-${span.spanId}-01`);
  });

  it('starts a new trace when the client sends none, and still propagates it upstream', async () => {
    await post('/v1/chat/completions', 'trace-2', {
      model: 'qwen',
      messages: [{ role: 'user', content: 'x' }],
    });
    const span = await receiver.spanFor('trace-2');
    assert.equal(span.parentSpanId, '');
    const sent = upstream.requests.find((r) => r.headers['x-request-id'] === 'trace-2')!;
    assert.equal(sent.headers['traceparent'], `00-${span.traceId}-${span.spanId}-01`);
  });

  it('completes a streamed chat span from its chunks, with a first-token event, while chunks flow unchanged', async () => {
    gate = deferred();
    const res = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'x-request-id': 'stream-1' },
      body: JSON.stringify({
        model: 'qwen',
        messages: [{ role: 'user', content: 'stream please' }],
        stream: true,
        stream_options: { include_usage: true },
      }),
    });
    const reader = res.body!.getReader();
    let received = '';
    // The first chunks reach the client while the upstream still holds back its last one.
    const events = () => (received.match(/^data: /gm) ?? []).length;
    while (events() < 3) received += new TextDecoder().decode((await reader.read()).value);
    assert.equal(events(), 3, 'role and two content chunks, before the upstream sends the rest');
    gate.resolve();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received += new TextDecoder().decode(value);
    }
    assert.match(received, /data: \[DONE\]\n\n$/);
    assert.equal(events(), 7, 'every upstream event reaches the client');

    const span = await receiver.spanFor('stream-1');
    const a = span.attributes;
    assert.equal(a['llm.output_messages.0.message.role'], 'assistant');
    assert.equal(a['llm.output_messages.0.message.content'], 'You said: stream please');
    assert.equal(a['llm.token_count.prompt'], CHAT_USAGE.prompt_tokens);
    assert.equal(a['llm.token_count.completion'], CHAT_USAGE.completion_tokens);
    const output = JSON.parse(String(a['output.value']));
    assert.equal(output.object, 'chat.completion.chunk');
    assert.equal(output.choices[0].finish_reason, 'stop');
    const first = span.events.filter((e) => e.name === 'First Token Stream Event');
    assert.equal(first.length, 1);
    assert.ok(first[0]!.timeNs >= span.startNs && first[0]!.timeNs <= span.endNs);
  });

  it('records embeddings as an EMBEDDING span with texts and vectors', async () => {
    const { res } = await post('/v1/embeddings', 'emb-1', { model: 'bge', input: ['one', 'two'] });
    assert.equal(res.status, 200);
    const span = await receiver.spanFor('emb-1');
    assert.equal(span.name, 'CreateEmbeddings');
    const a = span.attributes;
    assert.equal(a['openinference.span.kind'], 'EMBEDDING');
    assert.equal(a['embedding.model_name'], 'bge');
    assert.equal(a['embedding.embeddings.1.embedding.text'], 'two');
    assert.deepEqual(a['embedding.embeddings.1.embedding.vector'], [0.5, -0.25]);
    assert.equal(a['llm.token_count.prompt'], 6);
    assert.equal('llm.system' in a, false);
  });

  it('records a text completion as a Completion span', async () => {
    await post('/v1/completions', 'cmpl-1', { model: 'qwen', prompt: 'Once upon a time' });
    const span = await receiver.spanFor('cmpl-1');
    assert.equal(span.name, 'Completion');
    assert.equal(span.attributes['llm.prompts.0.prompt.text'], 'Once upon a time');
    assert.equal(span.attributes['llm.choices.0.completion.text'], ' and so on');
  });

  it("marks an upstream error ERROR with an exception event naming the upstream's status and message", async () => {
    const { res } = await post('/v1/chat/completions', 'err-1', {
      model: 'missing-upstream',
      messages: [{ role: 'user', content: 'Hello!' }],
    });
    assert.equal(res.status, 404);
    const span = await receiver.spanFor('err-1');
    assert.equal(span.status.code, STATUS_ERROR);
    assert.match(span.status.message ?? '', /^NotFoundError: Error code: 404 - /);
    const exception = span.events.find((e) => e.name === 'exception')!;
    assert.equal(exception.attributes['exception.type'], 'NotFoundError');
    assert.match(String(exception.attributes['exception.message']), /^Error code: 404 - .*does not exist/);
    assert.equal(span.attributes['llm.input_messages.0.message.content'], 'Hello!');
    assert.equal('llm.output_messages.0.message.role' in span.attributes, false);
  });

  it("records the gateway's own refusal (unknown model) as an error span", async () => {
    const { res } = await post('/v1/chat/completions', 'err-2', {
      model: 'nope',
      messages: [{ role: 'user', content: 'x' }],
    });
    assert.equal(res.status, 404);
    const span = await receiver.spanFor('err-2');
    assert.equal(span.status.code, STATUS_ERROR);
    const exception = span.events.find((e) => e.name === 'exception')!;
    assert.match(String(exception.attributes['exception.message']), /model_not_found/);
    assert.equal('switchyard.routing.endpoint' in span.attributes, false);
  });
});
