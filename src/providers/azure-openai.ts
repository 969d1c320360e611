import type { Operation } from '../api/inference-request.js';
import type { Backend } from '../config/model.js';
import { OpenAIAdapter } from './openai.js';
import { OPENAI_OPERATION_PATHS } from './provider.js';

/**
 * Azure OpenAI: the OpenAI adapter with one step overridden, the path. The model names the
 * deployment in the path (`/openai/deployments/<model>/chat/completions?api-version=<v>`);
 * the body is forwarded as it is (Azure ignores its `model`). Credentials come from the
 * backend as for OpenAI, usually as the `api-key` header.
 */
export class AzureOpenAIAdapter extends OpenAIAdapter {
  // Azure lists base models, not deployments, so there is no useful model list to offer.
  override readonly modelsPath: string | undefined = undefined;
  private readonly query: string;

  constructor(
    apiVersion: string,
    private readonly prefix: string,
    backend: Pick<Backend, 'auth' | 'headers'>,
  ) {
    super(`${prefix}/openai`, backend);
    this.query = `?api-version=${encodeURIComponent(apiVersion)}`;
  }

  override path(operation: Operation, model: string): string {
    const deployment = encodeURIComponent(model);
    return `${this.prefix}/openai/deployments/${deployment}${OPENAI_OPERATION_PATHS[operation]}${this.query}`;
  }
}
