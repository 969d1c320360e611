/**
 * How one backend's provider wants requests written: the path for each operation and the
 * headers the gateway sets (credentials, organisation, ...). One adapter per backend,
 * built once at start; adapters are stateless and shared by all requests.
 */
import type { Operation } from '../api/inference-request.js';

export interface ProviderAdapter {
  /** Upstream path (with query string) for `operation` on upstream model `model`. */
  path(operation: Operation, model: string): string;
  /** Path of the provider's model list, or undefined when it has none. */
  readonly modelsPath: string | undefined;
  /** Headers set on every upstream request, overriding the client's (lower-case names). */
  readonly headers: Readonly<Record<string, string>>;
  /** Client headers removed before forwarding, because the gateway supplies its own. */
  readonly dropClientHeaders: readonly string[];
}

/** Path suffix of each operation in the OpenAI API. */
export const OPENAI_OPERATION_PATHS: Readonly<Record<Operation, string>> = {
  chat: '/chat/completions',
  completion: '/completions',
  embeddings: '/embeddings',
};
