/** Backend -> its provider adapter, built once per backend. */
import type { Backend } from '../config/model.js';
import { AzureOpenAIAdapter } from './azure-openai.js';
import { OpenAIAdapter } from './openai.js';
import type { ProviderAdapter } from './provider.js';

export class AdapterTable {
  private readonly adapters = new WeakMap<Backend, ProviderAdapter>();

  for(backend: Backend): ProviderAdapter {
    let adapter = this.adapters.get(backend);
    if (!adapter) {
      adapter = createAdapter(backend);
      this.adapters.set(backend, adapter);
    }
    return adapter;
  }
}

function createAdapter(backend: Backend): ProviderAdapter {
  const provider = backend.provider;
  switch (provider.schema) {
    case 'openai':
      return new OpenAIAdapter(provider.pathPrefix, backend);
    case 'azure-openai':
      return new AzureOpenAIAdapter(provider.apiVersion, provider.pathPrefix ?? '', backend);
  }
}
