/**
 * A request's prompt as chained block hashes (see `prefix-index.ts`), computed once per
 * request however many routers ask (`pick` then `onRouted`, or the parts of a weighted
 * combination). Entries are keyed by the request object and vanish with it.
 */
import { blockHashes } from './prefix-index.js';
import { promptOf } from './prompt-text.js';
import type { RoutingRequest } from './router.js';
import { tokenIds } from './tokenizer.js';

export class PromptBlocks {
  private readonly memo = new WeakMap<RoutingRequest, readonly number[]>();

  constructor(readonly blockSize: number) {}

  /** Hashes of the prompt's full blocks; empty when the prompt is shorter than one block. */
  of(request: RoutingRequest): readonly number[] {
    let hashes = this.memo.get(request);
    if (!hashes) {
      const prompt = promptOf(request);
      const ids = 'ids' in prompt ? prompt.ids : tokenIds(prompt.text);
      hashes = blockHashes(ids, this.blockSize);
      this.memo.set(request, hashes);
    }
    return hashes;
  }
}
