/**
 * `AIServiceBackend` (+ the Envoy Gateway `Backend` it points at, the `BackendTLSPolicy`
 * and `BackendSecurityPolicy` that target them, and the `Secret` holding the key) ->
 * one runtime `Backend`.
 *
 * Backends Switchyard cannot serve (a provider schema other than OpenAI/AzureOpenAI, a
 * Kubernetes `Service` reference, AWS/GCP/Azure-AD credentials) are not errors: they come
 * back as `unsupported` with a reason, and a warning names the resource and field, so files
 * written for `aigw run` still load and their other routes serve.
 */
import { formatAddress, parseAddress } from '../address.js';
import type { Backend, BackendAuth, EndpointSpec, ProviderSpec } from '../model.js';
import { parseDuration } from '../units.js';
import {
  type Diagnostics,
  Fields,
  type Resource,
  type ResourceSet,
  referencedNamespace,
} from './resources.js';
import { secretValue } from './secrets.js';

export type BackendResolution =
  { readonly ok: true; readonly backend: Backend } | { readonly ok: false; readonly reason: string };

/** Every schema name Envoy AI Gateway knows; Switchyard serves the first two. */
const SUPPORTED_SCHEMAS = ['OpenAI', 'AzureOpenAI'];
const AIGW_SCHEMAS = [
  ...SUPPORTED_SCHEMAS,
  'Cohere',
  'AWSBedrock',
  'GCPVertexAI',
  'GCPAnthropic',
  'Anthropic',
  'AWSAnthropic',
];
const ENVOY_GATEWAY = 'gateway.envoyproxy.io';
const AI_GATEWAY = 'aigateway.envoyproxy.io';

/** Resolves `AIServiceBackend`s by namespace and name, once each. */
export class ServiceBackends {
  private readonly resolved = new Map<Resource, BackendResolution>();
  private readonly tlsTargets = new Set<string>();
  private readonly policies = new Map<string, Resource>();

  constructor(
    private readonly resources: ResourceSet,
    private readonly env: NodeJS.ProcessEnv,
    private readonly diagnostics: Diagnostics,
  ) {
    for (const policy of resources.ofKind('BackendTLSPolicy')) this.readTlsPolicy(policy);
    for (const policy of resources.ofKind('BackendSecurityPolicy')) this.readSecurityPolicy(policy);
  }

  /** The AIServiceBackend resource named by a reference, or undefined when absent. */
  find(namespace: string, name: string): Resource | undefined {
    return this.resources.find('AIServiceBackend', namespace, name);
  }

  resolve(resource: Resource): BackendResolution {
    let result = this.resolved.get(resource);
    if (!result) {
      result = this.translate(resource);
      this.resolved.set(resource, result);
    }
    return result;
  }

  private translate(resource: Resource): BackendResolution {
    const f = new Fields(resource, this.diagnostics);
    f.mapping(['spec'], true);
    f.unknownKeys(['spec'], ['schema', 'backendRef', 'headerMutation', 'bodyMutation', 'timeouts']);
    const unsupported = (path: (string | number)[], reason: string): BackendResolution => {
      f.warn(path, `${reason}; routes to AIServiceBackend "${resource.name}" cannot be served`);
      return { ok: false, reason: `AIServiceBackend "${resource.name}": ${reason}` };
    };

    const schema = f.string(['spec', 'schema', 'name'], true);
    if (!AIGW_SCHEMAS.includes(schema)) {
      throw f.fail(
        ['spec', 'schema', 'name'],
        `unknown schema "${schema}" (Envoy AI Gateway schemas: ${AIGW_SCHEMAS.join(', ')})`,
      );
    }
    if (!SUPPORTED_SCHEMAS.includes(schema)) {
      return unsupported(
        ['spec', 'schema', 'name'],
        `schema "${schema}" is not supported by Switchyard (supported: ${SUPPORTED_SCHEMAS.join(', ')})`,
      );
    }
    const provider = this.provider(f, schema);

    const refKind = f.string(['spec', 'backendRef', 'kind']) ?? 'Backend';
    const refGroup = f.string(['spec', 'backendRef', 'group']) ?? ENVOY_GATEWAY;
    if (refKind !== 'Backend' || refGroup !== ENVOY_GATEWAY) {
      return unsupported(
        ['spec', 'backendRef', 'kind'],
        `backendRef kind "${refKind}" cannot be resolved outside Kubernetes (use an Envoy Gateway Backend with endpoints)`,
      );
    }
    const refName = f.string(['spec', 'backendRef', 'name'], true);
    const refNamespace = referencedNamespace(f, ['spec', 'backendRef']);
    const target = this.resources.find('Backend', refNamespace, refName);
    if (!target) {
      throw f.fail(
        ['spec', 'backendRef', 'name'],
        `Backend "${refNamespace}/${refName}" is not defined in the file`,
      );
    }
    const endpoints = this.endpoints(target);
    if (endpoints.length === 0) {
      return unsupported(['spec', 'backendRef', 'name'], `Backend "${refName}" has no usable endpoint`);
    }

    const auth = this.auth(resource);
    if (auth && 'unsupported' in auth)
      return { ok: false, reason: `AIServiceBackend "${resource.name}": ${auth.unsupported}` };

    if (f.get(['spec', 'bodyMutation']) !== undefined) {
      f.warn(['spec', 'bodyMutation'], 'body mutation is not supported; ignored');
    }
    const timeout = f.string(['spec', 'timeouts', 'request']);
    const timeoutMs =
      timeout === undefined ? undefined : duration(f, ['spec', 'timeouts', 'request'], timeout);
    const backend: Backend = {
      name: resource.name,
      provider,
      endpoints,
      headers: headerMutation(f, ['spec', 'headerMutation']),
      ...(auth ? { auth } : {}),
      ...(timeoutMs ? { timeoutMs } : {}),
    };
    return { ok: true, backend };
  }

  private provider(f: Fields, schema: string): ProviderSpec {
    const version = f.string(['spec', 'schema', 'version']);
    const prefix = f.string(['spec', 'schema', 'prefix']);
    if (schema === 'OpenAI') {
      if (version !== undefined) {
        f.warn(
          ['spec', 'schema', 'version'],
          'ignored for the OpenAI schema (as in aigw); set schema.prefix for a path prefix',
        );
      }
      // aigw's default prefix is "v1": `<prefix>/chat/completions`.
      return { schema: 'openai', pathPrefix: normalizePrefix(prefix ?? 'v1') };
    }
    if (prefix !== undefined)
      f.warn(['spec', 'schema', 'prefix'], 'ignored for the AzureOpenAI schema (as in aigw)');
    if (!version?.trim()) {
      throw f.fail(
        ['spec', 'schema', 'version'],
        'the AzureOpenAI schema needs its api-version here, e.g. "2024-10-21"',
      );
    }
    return { schema: 'azure-openai', apiVersion: version.trim() };
  }

  /** `spec.endpoints[]` of an Envoy Gateway Backend; TLS per BackendTLSPolicy, `spec.tls` or port 443. */
  private endpoints(target: Resource): EndpointSpec[] {
    const f = new Fields(target, this.diagnostics);
    f.unknownKeys(['spec'], ['endpoints', 'tls', 'appProtocols', 'type']);
    const tls =
      this.tlsTargets.has(`${target.namespace}/${target.name}`) || f.get(['spec', 'tls']) !== undefined;
    const out: EndpointSpec[] = [];
    f.list(['spec', 'endpoints']).forEach((_, i) => {
      const path = ['spec', 'endpoints', i];
      f.mapping(path, true);
      let host: string;
      let portPath: (string | number)[];
      if (f.get([...path, 'fqdn']) !== undefined) {
        host = f.string([...path, 'fqdn', 'hostname'], true);
        portPath = [...path, 'fqdn', 'port'];
      } else if (f.get([...path, 'ip']) !== undefined) {
        host = f.string([...path, 'ip', 'address'], true);
        portPath = [...path, 'ip', 'port'];
      } else {
        f.warn(path, 'only fqdn and ip endpoints are supported; this endpoint is ignored');
        return;
      }
      const port = f.integer(portPath, 1, 65535);
      if (port === undefined) throw f.fail(portPath, 'is required');
      const parsed = parseAddress(formatAddress(host, port), port);
      if (typeof parsed === 'string') throw f.fail(path, parsed);
      const id = formatAddress(parsed.host, parsed.port);
      if (out.some((e) => e.id === id)) {
        f.warn(path, `duplicate endpoint ${id}; ignored`);
        return;
      }
      out.push({ id, host: parsed.host, port: parsed.port, tls: useTls(tls, parsed.port), role: 'both' });
    });
    return out;
  }

  private auth(resource: Resource): BackendAuth | { unsupported: string } | undefined {
    const policy = this.policies.get(`${resource.namespace}/${resource.name}`);
    if (!policy) return undefined;
    const f = new Fields(policy, this.diagnostics);
    const type = f.string(['spec', 'type'], true);
    if (type === 'APIKey' || type === 'AzureAPIKey') {
      const field = type === 'APIKey' ? 'apiKey' : 'azureAPIKey';
      const refPath = ['spec', field, 'secretRef'];
      const secretName = f.string([...refPath, 'name'], true);
      const secretNamespace = referencedNamespace(f, refPath);
      const secret = this.resources.find('Secret', secretNamespace, secretName);
      if (!secret)
        throw f.fail(
          [...refPath, 'name'],
          `Secret "${secretNamespace}/${secretName}" is not defined in the file`,
        );
      const value = secretValue(secret, 'apiKey', this.env, this.diagnostics);
      if (value === undefined) {
        throw f.fail([...refPath, 'name'], `Secret "${secretName}" has no "apiKey" in stringData or data`);
      }
      // aigw trims the key; an empty one is an error for Azure (as in aigw) and a warning otherwise.
      const key = value.trim();
      if (type === 'AzureAPIKey') {
        if (!key) throw f.fail([...refPath, 'name'], `Secret "${secretName}" has an empty "apiKey"`);
        return { kind: 'api-key-header', header: 'api-key', secret: key };
      }
      if (!key) {
        f.warn(
          [...refPath, 'name'],
          `Secret "${secretName}" has an empty "apiKey" (an unset variable?); upstreams get "Authorization: Bearer " as with aigw`,
        );
      }
      return { kind: 'bearer', secret: key };
    }
    f.warn(
      ['spec', 'type'],
      `type "${type}" is not supported by Switchyard (supported: APIKey, AzureAPIKey)`,
    );
    return {
      unsupported: `BackendSecurityPolicy "${policy.name}" uses type "${type}", which Switchyard does not support`,
    };
  }

  private readTlsPolicy(policy: Resource): void {
    const f = new Fields(policy, this.diagnostics);
    f.list(['spec', 'targetRefs']).forEach((_, i) => {
      const kind = f.string(['spec', 'targetRefs', i, 'kind']);
      const name = f.string(['spec', 'targetRefs', i, 'name'], true);
      if (kind === undefined || kind === 'Backend') this.tlsTargets.add(`${policy.namespace}/${name}`);
    });
    if (f.list(['spec', 'validation', 'caCertificateRefs']).length > 0) {
      f.warn(
        ['spec', 'validation', 'caCertificateRefs'],
        'custom CA certificates are not supported; the system CAs are used',
      );
    }
  }

  private readSecurityPolicy(policy: Resource): void {
    const f = new Fields(policy, this.diagnostics);
    const targets = f.list(['spec', 'targetRefs']);
    if (targets.length === 0) f.warn(['spec', 'targetRefs'], 'no targetRefs: this policy applies to nothing');
    targets.forEach((_, i) => {
      const path = ['spec', 'targetRefs', i];
      const kind = f.string([...path, 'kind']) ?? 'AIServiceBackend';
      const group = f.string([...path, 'group']) ?? AI_GATEWAY;
      const name = f.string([...path, 'name'], true);
      if (kind !== 'AIServiceBackend' || group !== AI_GATEWAY) {
        f.warn(path, `target kind "${kind}" is not supported; ignored`);
        return;
      }
      const key = `${policy.namespace}/${name}`;
      const other = this.policies.get(key);
      if (other) {
        throw f.fail(
          [...path, 'name'],
          `AIServiceBackend "${name}" is already targeted by BackendSecurityPolicy "${other.name}"; only one may attach`,
        );
      }
      this.policies.set(key, policy);
    });
  }
}

/** The TLS decision for an endpoint: a policy (BackendTLSPolicy or `spec.tls`) or port 443. */
export function useTls(policySaysTls: boolean, port: number): boolean {
  return policySaysTls || port === 443;
}

/** aigw joins `/`, the prefix and the operation path: `v1` -> `/v1`, `/` -> ``. */
export function normalizePrefix(prefix: string): string {
  const parts = prefix.split('/').filter((p) => p && p !== '.');
  return parts.length ? `/${parts.join('/')}` : '';
}

/** `headerMutation.set[]` as a header map; `remove` is reported as unsupported. */
export function headerMutation(f: Fields, path: (string | number)[]): Record<string, string> {
  const headers: Record<string, string> = {};
  if (f.get(path) === undefined) return headers;
  f.unknownKeys(path, ['set', 'remove']);
  f.list([...path, 'set']).forEach((_, i) => {
    const name = f.string([...path, 'set', i, 'name'], true);
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name))
      throw f.fail([...path, 'set', i, 'name'], `"${name}" is not a valid header name`);
    headers[name.toLowerCase()] = f.string([...path, 'set', i, 'value']) ?? '';
  });
  if (f.list([...path, 'remove']).length > 0) {
    f.warn([...path, 'remove'], 'removing request headers is not supported; ignored');
  }
  return headers;
}

/** A Gateway API duration (`120s`, `1m30s`) in ms; `0s` means no limit. */
export function duration(f: Fields, path: (string | number)[], text: string): number | undefined {
  const ms = parseDuration(text);
  if (ms === undefined) throw f.fail(path, `"${text}" is not a duration like 500ms, 30s, 2m or 1h`);
  return ms > 0 ? ms : undefined;
}
