/**
 * Everything one request's span carries, built once at the end from a typed record:
 * the OpenInference request and response attributes for its operation, the model, routing,
 * mapped headers, and the failure if any. Pure: the same record always gives the same map.
 */
import { LLMProvider, LLMSystem, OpenInferenceSpanKind } from '@arizeai/openinference-semantic-conventions';
import type { Operation } from '../api/inference-request.js';
import type { RoutingDecision } from '../routing/decision.js';
import { describeFailure, type Failure } from './failure.js';
import { chatRequestAttributes, chatResponseAttributes } from './openinference/chat-attributes.js';
import type { RequestView } from './openinference/common-attributes.js';
import {
  completionRequestAttributes,
  completionResponseAttributes,
} from './openinference/completion-attributes.js';
import {
  embeddingsRequestAttributes,
  embeddingsResponseAttributes,
} from './openinference/embeddings-attributes.js';
import { SC } from './openinference/keys.js';
import type { AttributeSink } from './openinference/redaction.js';
import type { PrefillResult, RequestOutcome, UpstreamTarget } from './request-telemetry.js';
import type { ResponseFacts } from './response/response-collector.js';
import { routingAttributes } from './routing-attributes.js';

/** Span names, as Envoy AI Gateway names them. */
export const SPAN_NAMES: Readonly<Record<Operation, string>> = {
  chat: 'ChatCompletion',
  completion: 'Completion',
  embeddings: 'CreateEmbeddings',
};

export const REQUEST_ID_ATTRIBUTE = 'switchyard.request_id';
export const HTTP_STATUS_ATTRIBUTE = 'http.response.status_code';
export const CLIENT_ABORTED_ATTRIBUTE = 'switchyard.client_aborted';

export interface SpanRecord {
  readonly operation: Operation;
  readonly requestId: string;
  /** Absent when the body could not be read or parsed. */
  readonly request?: RequestView & { readonly model: string };
  readonly response?: ResponseFacts;
  readonly decision?: RoutingDecision;
  readonly upstream?: UpstreamTarget;
  readonly attempts: number;
  readonly prefill?: PrefillResult;
  /** Span attributes from the mapped request headers. */
  readonly headerAttributes: Readonly<Record<string, string>>;
  readonly outcome: RequestOutcome;
}

/** OpenInference `llm.provider` for a provider schema. */
function llmProvider(schema: string | undefined): string | undefined {
  if (schema === 'openai') return LLMProvider.OPENAI;
  if (schema === 'azure-openai') return LLMProvider.AZURE;
  return schema;
}

export function spanAttributes(sink: AttributeSink, record: SpanRecord): Failure | undefined {
  const { request, response, operation } = record;
  const failure = describeFailure(record.outcome, response);
  // An upstream error answer has no output to record; its body goes into the exception.
  const answered =
    response?.json && response.status < 400 ? { json: response.json, text: response.text } : undefined;
  const model = response?.model ?? request?.model;

  if (operation === 'embeddings') {
    sink.set(SC.OPENINFERENCE_SPAN_KIND, OpenInferenceSpanKind.EMBEDDING);
    if (request) embeddingsRequestAttributes(sink, request);
    sink.set(SC.EMBEDDING_MODEL_NAME, model);
    if (answered) embeddingsResponseAttributes(sink, answered, response?.usage);
  } else {
    sink.set(SC.OPENINFERENCE_SPAN_KIND, OpenInferenceSpanKind.LLM);
    sink.set(SC.LLM_SYSTEM, LLMSystem.OPENAI);
    sink.set(SC.LLM_PROVIDER, llmProvider(record.upstream?.provider));
    sink.set(SC.LLM_MODEL_NAME, model);
    if (operation === 'chat') {
      if (request) chatRequestAttributes(sink, request);
      if (answered) chatResponseAttributes(sink, answered, response?.usage);
    } else {
      if (request) completionRequestAttributes(sink, request);
      if (answered) completionResponseAttributes(sink, answered, response?.usage);
    }
  }

  if (record.decision) routingAttributes(sink, record.decision, record.attempts, record.prefill);
  for (const [attribute, value] of Object.entries(record.headerAttributes)) sink.set(attribute, value);
  sink.set(REQUEST_ID_ATTRIBUTE, record.requestId);
  if (record.outcome.status) sink.set(HTTP_STATUS_ATTRIBUTE, record.outcome.status);
  if (record.outcome.clientAborted) sink.set(CLIENT_ABORTED_ATTRIBUTE, true);
  return failure;
}
