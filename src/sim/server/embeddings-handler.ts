/**
 * `/v1/embeddings`: deterministic vectors (see `engine/embedding.ts`). The inputs go
 * through the engine as one prefill-only sequence, so embeddings take a batch slot and
 * prefill time like on a real engine (without prefix caching, as vLLM's pooling models).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EMBEDDING_DIMENSIONS, embed, toBase64 } from '../engine/embedding.js';
import { checkModel } from './generate-handler.js';
import { readJsonObject, sendJson } from './http-io.js';
import { parseEmbedding } from './requests.js';
import { embeddingList } from './responses.js';
import type { SimContext } from './sim-context.js';
import { SimErrors } from './sim-errors.js';

export function embeddingsHandler(ctx: SimContext) {
  return async function handleEmbeddings(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const request = parseEmbedding(await readJsonObject(req), EMBEDDING_DIMENSIONS);
    checkModel(ctx, request.model);
    const fault = ctx.faults.next();
    if (fault) throw fault;
    const tokens = request.inputs.flat();
    for (const input of request.inputs) {
      if (input.length > ctx.maxModelLen) throw SimErrors.contextTooLong(ctx.maxModelLen, input.length, 0);
    }
    if (tokens.length > ctx.engine.maxSequenceTokens) {
      throw SimErrors.invalid(
        'input',
        `the inputs total ${tokens.length} tokens; at most ${ctx.engine.maxSequenceTokens} fit at once`,
      );
    }
    const seq = ctx.engine.submit(
      {
        tokens,
        promptLength: tokens.length,
        outputLength: 0,
        prefill: 'compute',
        prefixCache: false,
        finishReason: 'stop',
      },
      {
        onFinished(done) {
          if (done.finishReason === 'abort') return;
          const vectors = request.inputs.map((ids) => {
            const vector = embed(ids, request.dimensions);
            return request.encoding === 'base64' ? toBase64(vector) : Array.from(vector);
          });
          sendJson(res, 200, embeddingList(request.model, vectors, tokens.length));
        },
      },
    );
    res.once('close', () => {
      if (seq.finishReason === undefined) ctx.engine.abort(seq);
    });
    if (req.socket.destroyed) ctx.engine.abort(seq); // gone before we listened
  };
}
