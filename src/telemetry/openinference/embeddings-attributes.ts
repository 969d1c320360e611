/**
 * OpenInference attributes of a `CreateEmbeddings` span: input texts, vectors (base64
 * vectors decoded to floats, as the spec requires), model and token counts. `llm.system`
 * and `llm.provider` are not used on embedding spans (OpenInference embedding spec).
 */
import { asArray, asRecord, type Json } from '../response/json.js';
import type { TokenUsage } from '../response/usage.js';
import { inputValueAttributes, invocationParameters, type RequestView } from './common-attributes.js';
import { textsOf } from './completion-attributes.js';
import { EMBEDDING_INVOCATION_PARAMETERS, embeddingTextKey, embeddingVectorKey, SC } from './keys.js';
import type { AttributeSink } from './redaction.js';

export function embeddingsRequestAttributes(sink: AttributeSink, request: RequestView): void {
  inputValueAttributes(sink, request);
  sink.set(EMBEDDING_INVOCATION_PARAMETERS, invocationParameters(request.body, ['input']));
  textsOf(request.body['input']).forEach((text, i) => {
    sink.set(embeddingTextKey(i), text);
  });
}

export function embeddingsResponseAttributes(
  sink: AttributeSink,
  response: { readonly json: Json },
  usage: TokenUsage | undefined,
): void {
  asArray(response.json['data']).forEach((item, i) => {
    const embedding = asRecord(item)?.['embedding'];
    sink.set(embeddingVectorKey(i), () => vectorOf(embedding));
  });
  sink.set(SC.LLM_TOKEN_COUNT_PROMPT, usage?.input);
  sink.set(SC.LLM_TOKEN_COUNT_TOTAL, usage?.total);
}

/** A float array, or a base64 string of little-endian float32 values decoded to one. */
export function vectorOf(embedding: unknown): number[] | undefined {
  if (Array.isArray(embedding)) {
    return embedding.length && embedding.every((v) => typeof v === 'number') ? embedding : undefined;
  }
  if (typeof embedding !== 'string' || embedding === '') return undefined;
  const bytes = Buffer.from(embedding, 'base64');
  const floats: number[] = [];
  for (let offset = 0; offset + 4 <= bytes.length; offset += 4) floats.push(bytes.readFloatLE(offset));
  return floats.length ? floats : undefined;
}
