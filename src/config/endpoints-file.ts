/**
 * AIBrix local-mode `endpoints.yaml` -> routes.
 *
 * ```yaml
 * models:
 *   - name: "Qwen/Qwen3.5-4B"
 *     engine: vllm                        # optional
 *     endpoints: ["127.0.0.1:8000"]       # or rolesets, never both
 *     rolesets:
 *       - { name: default, prefill: ["10.0.0.1:8000"], decode: ["10.0.0.2:8000"] }
 * ```
 *
 * A port defaults to 8000 as in AIBrix. Unlike AIBrix, validation is strict: unknown keys,
 * bad addresses and duplicates are errors that name the file, line and field.
 *
 * Switchyard extensions: an endpoint may be a mapping `{address, metrics}` where `metrics`
 * is a port or URL for the engine's Prometheus metrics, and a model may set
 * `routingAlgorithm`.
 */
import { formatAddress, parseAddress } from './address.js';
import type { Backend, EndpointRole, EndpointSpec, Route } from './model.js';
import { asList, asMapping, asNumber, asString, type Fail, onlyKeys, type Path } from './shape.js';
import { YamlSource } from './yaml-source.js';

export const AIBRIX_DEFAULT_PORT = 8000;

const MODEL_KEYS = ['name', 'engine', 'endpoints', 'rolesets', 'routingAlgorithm'] as const;
const ROLESET_KEYS = ['name', 'prefill', 'decode'] as const;
const ENDPOINT_KEYS = ['address', 'metrics'] as const;

export function loadEndpointsFile(file: string): Route[] {
  return translateEndpoints(YamlSource.readFile(file));
}

export function translateEndpoints(source: YamlSource): Route[] {
  const fail: Fail = (path, problem) => source.error(path, problem);
  const structured = source.documents.filter((d) => YamlSource.isStructured(d));
  if (structured.length === 0) throw source.error([], 'the file is empty; it needs a "models" list');
  if (source.documents.length > 1) throw source.error([], 'expected a single YAML document');
  const root = asMapping(structured[0]!.toJS(), [], fail);
  onlyKeys(root, ['models'], [], fail);
  const models = asList(root['models'], ['models'], fail);
  if (models.length === 0) throw fail(['models'], 'must list at least one model');

  const seenModels = new Map<string, number>();
  return models.map((raw, i) => {
    const path = ['models', i];
    const model = asMapping(raw, path, fail);
    onlyKeys(model, MODEL_KEYS, path, fail);
    const name = asString(model['name'], [...path, 'name'], fail);
    const previous = seenModels.get(name);
    if (previous !== undefined) {
      throw fail([...path, 'name'], `duplicate model "${name}" (already defined at models[${previous}])`);
    }
    seenModels.set(name, i);
    const engine =
      model['engine'] === undefined ? undefined : asString(model['engine'], [...path, 'engine'], fail);
    const routingAlgorithm =
      model['routingAlgorithm'] === undefined
        ? undefined
        : asString(model['routingAlgorithm'], [...path, 'routingAlgorithm'], fail);

    const hasEndpoints = model['endpoints'] !== undefined;
    const hasRolesets = model['rolesets'] !== undefined;
    if (hasEndpoints && hasRolesets) {
      throw fail(path, 'set either "endpoints" or "rolesets", not both');
    }
    if (!hasEndpoints && !hasRolesets) throw fail(path, 'needs "endpoints" or "rolesets"');
    const endpoints = hasEndpoints
      ? plainEndpoints(model['endpoints'], [...path, 'endpoints'], fail)
      : rolesetEndpoints(model['rolesets'], [...path, 'rolesets'], fail);

    const backend: Backend = {
      name,
      provider: { schema: 'openai', pathPrefix: '/v1' },
      endpoints,
      headers: {},
      ...(engine ? { engine } : {}),
    };
    const route: Route = {
      name,
      matches: [{ kind: 'exact', name }],
      backends: [{ backend, weight: 1, priority: 0 }],
      listedModels: [{ id: name, ownedBy: engine ?? 'switchyard', created: 0 }],
      ...(routingAlgorithm ? { routingAlgorithm } : {}),
    };
    return route;
  });
}

function plainEndpoints(value: unknown, path: Path, fail: Fail): EndpointSpec[] {
  const list = asList(value, path, fail);
  if (list.length === 0) throw fail(path, 'must list at least one endpoint');
  const seen = new Set<string>();
  return list.map((raw, i) => endpoint(raw, [...path, i], 'both', undefined, seen, fail));
}

function rolesetEndpoints(value: unknown, path: Path, fail: Fail): EndpointSpec[] {
  const list = asList(value, path, fail);
  if (list.length === 0) throw fail(path, 'must list at least one roleset');
  const names = new Set<string>();
  const seen = new Set<string>();
  const out: EndpointSpec[] = [];
  list.forEach((raw, i) => {
    const setPath = [...path, i];
    const set = asMapping(raw, setPath, fail);
    onlyKeys(set, ROLESET_KEYS, setPath, fail);
    if (set['name'] === undefined) throw fail(setPath, 'a roleset needs a "name"');
    const name = asString(set['name'], [...setPath, 'name'], fail);
    if (names.has(name)) throw fail([...setPath, 'name'], `duplicate roleset name "${name}"`);
    names.add(name);
    for (const role of ['prefill', 'decode'] as const) {
      const rolePath = [...setPath, role];
      if (set[role] === undefined) throw fail(setPath, `roleset "${name}" needs a "${role}" list`);
      const members = asList(set[role], rolePath, fail);
      if (members.length === 0) throw fail(rolePath, `roleset "${name}" needs at least one ${role} endpoint`);
      members.forEach((m, j) => {
        out.push(endpoint(m, [...rolePath, j], role, name, seen, fail));
      });
    }
  });
  return out;
}

function endpoint(
  raw: unknown,
  path: Path,
  role: EndpointRole,
  roleset: string | undefined,
  seen: Set<string>,
  fail: Fail,
): EndpointSpec {
  let addressText: string;
  let metrics: unknown;
  if (typeof raw === 'string') {
    addressText = raw;
  } else if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
    const map = raw as Record<string, unknown>;
    onlyKeys(map, ENDPOINT_KEYS, path, fail);
    addressText = asString(map['address'], [...path, 'address'], fail);
    metrics = map['metrics'];
  } else {
    throw fail(path, `expected "host:port" or {address, metrics}, got ${JSON.stringify(raw)}`);
  }
  const parsed = parseAddress(addressText, AIBRIX_DEFAULT_PORT);
  if (typeof parsed === 'string') throw fail(path, `bad address "${addressText}": ${parsed}`);
  const id = formatAddress(parsed.host, parsed.port);
  if (seen.has(id)) throw fail(path, `duplicate endpoint "${id}"`);
  seen.add(id);
  const metricsUrl = metricsLocation(metrics, parsed.host, path, fail);
  return {
    id,
    host: parsed.host,
    port: parsed.port,
    tls: parsed.tls,
    role,
    ...(roleset !== undefined ? { roleset } : {}),
    ...(metricsUrl !== undefined ? { metricsUrl } : {}),
  };
}

function metricsLocation(value: unknown, host: string, path: Path, fail: Fail): string | undefined {
  if (value === undefined) return undefined;
  const metricsPath = [...path, 'metrics'];
  if (typeof value === 'number') {
    const port = asNumber(value, metricsPath, fail, 1, 65535);
    return `http://${formatAddress(host, port)}/metrics`;
  }
  const text = asString(value, metricsPath, fail);
  try {
    const url = new URL(text);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('scheme');
    return url.toString();
  } catch {
    throw fail(metricsPath, `"${text}" is not an http(s) URL or a port number`);
  }
}
