/**
 * `/v1/chat/completions` and `/v1/completions`: validate, pick the answer, run it through
 * the engine, and write the OpenAI response or stream as the engine emits tokens.
 * A client that disconnects aborts its sequence at once.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { answerSeed, generateAnswer } from '../engine/answer.js';
import type { SequenceRecord, SequenceSpec } from '../engine/engine.js';
import { tokenId } from '../engine/tokenizer.js';
import { endEventStream, readJsonObject, sendJson, startEventStream, writeEvents } from './http-io.js';
import { type KvTransferPlan, planKvTransfer, producedParams } from './kv-transfer.js';
import { type GenerateRequest, parseChat, parseCompletion } from './requests.js';
import {
  type ApiFinishReason,
  chatChunk,
  chatCompletion,
  chatUsageChunk,
  type ResponseIdentity,
  textChunk,
  textCompletion,
  textUsageChunk,
  usage,
} from './responses.js';
import type { SimContext } from './sim-context.js';
import { SimErrors } from './sim-errors.js';

export function generateHandler(kind: 'chat' | 'completion', ctx: SimContext) {
  return async function handleGenerate(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJsonObject(req);
    const request = kind === 'chat' ? parseChat(body) : parseCompletion(body);
    checkModel(ctx, request.model);
    const plan = planKvTransfer(ctx.options.role, request.kvTransferParams);
    const fault = ctx.faults.next();
    if (fault) throw fault;
    serve(ctx, request, plan, req, res);
  };
}

export function checkModel(ctx: SimContext, model: string): void {
  if (!ctx.options.models.includes(model)) throw SimErrors.modelNotFound(model);
}

function serve(
  ctx: SimContext,
  request: GenerateRequest,
  plan: KvTransferPlan,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  const promptLength = request.promptIds.length;
  // A prefill engine handing its KV over computes the prompt and one token, as vLLM does.
  const limit = plan.kind === 'produce' ? 1 : request.maxTokens;
  if (promptLength + (limit ?? 1) > ctx.maxModelLen) {
    throw SimErrors.contextTooLong(ctx.maxModelLen, promptLength, limit ?? 0);
  }
  const answer = generateAnswer(
    answerSeed(ctx.options.models[0]!, ctx.options.seed),
    request.promptIds,
    limit,
  );
  const room = ctx.maxModelLen - promptLength;
  const pieces = answer.pieces.slice(0, room);
  const finishReason: ApiFinishReason =
    answer.truncated || pieces.length < answer.pieces.length ? 'length' : 'stop';
  const spec: SequenceSpec = {
    tokens: [...request.promptIds, ...pieces.map(tokenId)],
    promptLength,
    outputLength: pieces.length,
    prefill: plan.kind === 'consume' ? 'remote' : 'compute',
    prefixCache: true,
    finishReason,
  };
  const who: ResponseIdentity = {
    id: `${request.kind === 'chat' ? 'chatcmpl' : 'cmpl'}-${randomUUID().replaceAll('-', '')}`,
    created: Math.floor(Date.now() / 1000),
    model: request.model,
  };
  const kvParams = (seq: SequenceRecord) =>
    plan.kind === 'produce'
      ? producedParams({
          engineId: ctx.engineId,
          requestId: who.id,
          blockIds: seq.promptBlockIds,
          host: localHost(req),
          port: req.socket.localPort ?? ctx.options.port,
        })
      : null;
  const usageOf = (seq: SequenceRecord) => usage(promptLength, seq.generated, seq.cachedTokens);
  const chat = request.kind === 'chat';

  if (request.stream) startEventStream(res);
  const seq = ctx.engine.submit(spec, {
    onToken(_seq, index) {
      if (!request.stream) return;
      const piece = pieces[index]!;
      if (!chat) writeEvents(res, [textChunk(who, piece, null, request.includeUsage)]);
      else if (index === 0)
        writeEvents(res, [
          chatChunk(who, { role: 'assistant', content: '' }, null, request.includeUsage),
          chatChunk(who, { content: piece }, null, request.includeUsage),
        ]);
      else writeEvents(res, [chatChunk(who, { content: piece }, null, request.includeUsage)]);
    },
    onFinished(done) {
      if (done.finishReason === 'abort') return; // the client is gone
      const text = pieces.join('');
      const kv = kvParams(done);
      if (!request.stream) {
        sendJson(
          res,
          200,
          chat
            ? chatCompletion(who, text, finishReason, usageOf(done), kv)
            : textCompletion(who, text, finishReason, usageOf(done), kv),
        );
        return;
      }
      const last = chat
        ? chatChunk(who, {}, finishReason, request.includeUsage)
        : textChunk(who, '', finishReason, request.includeUsage);
      const events: unknown[] = [kv ? { ...last, kv_transfer_params: kv } : last];
      if (request.includeUsage)
        events.push(chat ? chatUsageChunk(who, usageOf(done)) : textUsageChunk(who, usageOf(done)));
      writeEvents(res, events);
      endEventStream(res);
    },
  });
  res.once('close', () => {
    if (seq.finishReason === undefined) ctx.engine.abort(seq);
  });
  if (req.socket.destroyed) ctx.engine.abort(seq); // gone before we listened
}

/** The address the client reached this engine on (what a decode engine would connect back to). */
function localHost(req: IncomingMessage): string {
  const address = req.socket.localAddress ?? '127.0.0.1';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
