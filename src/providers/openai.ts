import type { Operation } from '../api/inference-request.js';
import type { Backend } from '../config/model.js';
import { OPENAI_OPERATION_PATHS, type ProviderAdapter } from './provider.js';

/**
 * OpenAI and every OpenAI-compatible server (vLLM, SGLang, Ollama, the simulator):
 * `<prefix>/chat/completions`, the model in the body, `Authorization: Bearer <key>`.
 */
export class OpenAIAdapter implements ProviderAdapter {
  readonly headers: Readonly<Record<string, string>>;
  readonly dropClientHeaders: readonly string[];
  readonly modelsPath: string | undefined;

  constructor(
    private readonly pathPrefix: string,
    backend: Pick<Backend, 'auth' | 'headers'>,
  ) {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(backend.headers)) headers[name.toLowerCase()] = value;
    const auth = backend.auth;
    if (auth?.kind === 'bearer') headers['authorization'] = `Bearer ${auth.secret}`;
    if (auth?.kind === 'api-key-header') headers[auth.header.toLowerCase()] = auth.secret;
    this.headers = headers;
    // With gateway-held credentials, the client's own must never reach the upstream.
    this.dropClientHeaders = auth ? ['authorization', 'api-key', 'x-api-key'] : [];
    this.modelsPath = `${this.pathPrefix}/models`;
  }

  path(operation: Operation, _model: string): string {
    return this.pathPrefix + OPENAI_OPERATION_PATHS[operation];
  }
}
