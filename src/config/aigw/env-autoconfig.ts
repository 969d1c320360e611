/**
 * `aigw run` without a config file: one catch-all route from the OpenAI SDK environment
 * variables.
 *
 * | variables                                                     | upstream                   |
 * | ------------------------------------------------------------- | -------------------------- |
 * | `OPENAI_API_KEY` (+ `OPENAI_BASE_URL`, default `https://api.openai.com/v1`) | OpenAI-compatible, `Authorization: Bearer <key>` |
 * | `AZURE_OPENAI_API_KEY` + `AZURE_OPENAI_ENDPOINT` + `OPENAI_API_VERSION` | Azure OpenAI, `api-key: <key>` |
 * | `OPENAI_ORG_ID`, `OPENAI_PROJECT_ID` (either provider)        | `OpenAI-Organization`, `OpenAI-Project` headers |
 *
 * Azure wins when both keys are set, as in aigw. Unlike aigw, the base URL's path is kept
 * (`http://host:8080/api/v1` sends `/api/v1/chat/completions`). Every model goes to the one
 * upstream, and `GET /v1/models` lists what it reports.
 */

import { formatAddress } from '../address.js';
import { ConfigError } from '../config-error.js';
import type { Backend, EndpointSpec, ProviderSpec, Route } from '../model.js';
import { normalizePrefix } from './backends.js';
import { compileRe2 } from './re2.js';

export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';
const SOURCE = 'environment';

/** The env route, or undefined when neither `OPENAI_API_KEY` nor `AZURE_OPENAI_API_KEY` is set. */
export function envRoute(env: NodeJS.ProcessEnv): Route | undefined {
  const azureKey = env['AZURE_OPENAI_API_KEY'];
  const openaiKey = env['OPENAI_API_KEY'];
  let backend: Backend;
  if (azureKey) {
    const endpoint = required(env, 'AZURE_OPENAI_ENDPOINT', 'AZURE_OPENAI_API_KEY');
    const apiVersion = required(env, 'OPENAI_API_VERSION', 'AZURE_OPENAI_API_KEY').trim();
    const url = parseBaseUrl('AZURE_OPENAI_ENDPOINT', endpoint);
    const prefix = normalizePrefix(url.pathname);
    const provider: ProviderSpec = {
      schema: 'azure-openai',
      apiVersion,
      ...(prefix ? { pathPrefix: prefix } : {}),
    };
    backend = {
      name: 'azure-openai',
      provider,
      endpoints: [endpointOf(url)],
      auth: { kind: 'api-key-header', header: 'api-key', secret: azureKey.trim() },
      headers: orgHeaders(env),
    };
  } else if (openaiKey) {
    const url = parseBaseUrl('OPENAI_BASE_URL', env['OPENAI_BASE_URL'] || DEFAULT_OPENAI_BASE_URL);
    backend = {
      name: 'openai',
      provider: { schema: 'openai', pathPrefix: normalizePrefix(url.pathname) },
      endpoints: [endpointOf(url)],
      auth: { kind: 'bearer', secret: openaiKey.trim() },
      headers: orgHeaders(env),
    };
  } else {
    return undefined;
  }
  return {
    name: `env/${backend.name}`,
    matches: [{ kind: 'regex', pattern: compileRe2('(?s).*') }],
    backends: [{ backend, weight: 1, priority: 0 }],
    listedModels: [],
    listsUpstreamModels: true,
  };
}

function required(env: NodeJS.ProcessEnv, name: string, because: string): string {
  const value = env[name];
  if (!value?.trim()) throw new ConfigError(SOURCE, name, `is required when ${because} is set`);
  return value;
}

/** An http(s) URL without credentials, query or fragment; never echoes what it rejects. */
function parseBaseUrl(name: string, text: string): URL {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new ConfigError(SOURCE, name, 'is not a URL (expected like https://host[:port][/path])');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(
      SOURCE,
      name,
      `scheme "${url.protocol.slice(0, -1)}" is not supported (use http or https)`,
    );
  }
  if (url.username || url.password) throw new ConfigError(SOURCE, name, 'must not contain credentials');
  if (url.search || url.hash) throw new ConfigError(SOURCE, name, 'must not have a query string or fragment');
  return url;
}

function endpointOf(url: URL): EndpointSpec {
  const tls = url.protocol === 'https:';
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = url.port ? Number(url.port) : tls ? 443 : 80;
  return { id: formatAddress(host, port), host, port, tls, role: 'both' };
}

function orgHeaders(env: NodeJS.ProcessEnv): Record<string, string> {
  const headers: Record<string, string> = {};
  if (env['OPENAI_ORG_ID']) headers['openai-organization'] = env['OPENAI_ORG_ID'];
  if (env['OPENAI_PROJECT_ID']) headers['openai-project'] = env['OPENAI_PROJECT_ID'];
  return headers;
}
