/**
 * `AIGatewayRoute` rules -> routes, one per rule, in file order.
 *
 * - `matches[]` are alternatives; each may match the `x-ai-eg-model` header `Exact`ly or
 *   by `RegularExpression` (RE2, full match). A match that also needs another header cannot
 *   be evaluated by Switchyard and is dropped with a warning (never widened). A rule
 *   without matches takes every model and, as in the Gateway API's precedence, goes after
 *   the rules that name models.
 * - `backendRefs[]` keep their `weight` (default 1), `priority` (default 0) and
 *   `modelNameOverride`. Unsupported backends are dropped with a warning; a rule left with
 *   none answers 501 naming why.
 * - `timeouts.request` is the route's deadline; Exact model names are listed by
 *   `GET /v1/models` with `modelsOwnedBy` / `modelsCreatedAt`.
 *
 * Switchyard extension, as annotations so the file stays valid for Kubernetes and aigw:
 * `switchyard.io/routing-algorithm: NAME` sets the algorithm of every rule of the
 * AIGatewayRoute, `switchyard.io/routing-algorithm.RULE: NAME` that of the rule named RULE.
 */
import type { BackendRef, ListedModel, ModelMatch, Route } from '../model.js';
import { type BackendResolution, duration, headerMutation, type ServiceBackends } from './backends.js';
import { compileRe2, Re2Error } from './re2.js';
import { type Diagnostics, Fields, type Resource, referencedNamespace } from './resources.js';

export const MODEL_HEADER = 'x-ai-eg-model';
export const ALGORITHM_ANNOTATION = 'switchyard.io/routing-algorithm';
const DEFAULT_OWNER = 'Envoy AI Gateway';
const MATCH_ALL = compileRe2('(?s).*');

const SPEC_KEYS = [
  'parentRefs',
  'hostnames',
  'rules',
  'llmRequestCosts',
  'schema',
  'targetRefs',
  'filterConfig',
];
const RULE_KEYS = [
  'name',
  'matches',
  'backendRefs',
  'timeouts',
  'modelsOwnedBy',
  'modelsCreatedAt',
  'streamIdleTimeout',
];
const REF_KEYS = [
  'name',
  'namespace',
  'group',
  'kind',
  'weight',
  'priority',
  'modelNameOverride',
  'headerMutation',
  'bodyMutation',
];

export interface RouteContext {
  readonly backends: ServiceBackends;
  readonly diagnostics: Diagnostics;
  /** Unix seconds used for `created` when `modelsCreatedAt` is not set. */
  readonly now: number;
}

/** The routes of one AIGatewayRoute, in rule order, catch-all rules last. */
export function translateRoute(resource: Resource, ctx: RouteContext): Route[] {
  const f = new Fields(resource, ctx.diagnostics);
  f.mapping(['spec'], true);
  f.unknownKeys(['spec'], SPEC_KEYS);
  if (f.list(['spec', 'hostnames']).length > 0) {
    f.warn(['spec', 'hostnames'], 'host names are not matched by Switchyard; the rules apply to every host');
  }
  const rules = f.list(['spec', 'rules']);
  const algorithms = ruleAlgorithms(f, rules);
  const named: Route[] = [];
  const catchAll: Route[] = [];
  rules.forEach((_, i) => {
    const translated = translateRule(f, i, algorithms.get(i) ?? algorithms.get('*'), ctx);
    if (!translated) return;
    (translated.catchAll ? catchAll : named).push(translated.route);
  });
  return [...named, ...catchAll];
}

function translateRule(
  f: Fields,
  index: number,
  routingAlgorithm: string | undefined,
  ctx: RouteContext,
): { route: Route; catchAll: boolean } | undefined {
  const path = ['spec', 'rules', index];
  f.mapping(path, true);
  f.unknownKeys(path, RULE_KEYS);
  const ruleName = f.string([...path, 'name']);
  const name = `${f.resource.name}/${ruleName ?? `rules[${index}]`}`;
  if (f.get([...path, 'streamIdleTimeout']) !== undefined) {
    f.warn([...path, 'streamIdleTimeout'], 'ignored; the gateway-wide --idle-timeout applies');
  }

  const matches = modelMatches(f, path);
  if (matches === 'none') {
    f.warn([...path, 'matches'], 'no match can be evaluated by Switchyard, so this rule never applies');
    return undefined;
  }
  const catchAll = matches === 'all';
  const modelMatchList: ModelMatch[] = catchAll ? [{ kind: 'regex', pattern: MATCH_ALL }] : matches;

  const refs: BackendRef[] = [];
  const reasons: string[] = [];
  const refList = f.list([...path, 'backendRefs']);
  refList.forEach((_, j) => {
    const ref = backendRef(f, [...path, 'backendRefs', j], ctx);
    if ('reason' in ref) reasons.push(ref.reason);
    else refs.push(ref);
  });
  if (refList.length === 0) reasons.push(`rule ${name} has no backendRefs`);

  const timeout = f.string([...path, 'timeouts', 'request']);
  const timeoutMs =
    timeout === undefined ? undefined : duration(f, [...path, 'timeouts', 'request'], timeout);
  if (f.get([...path, 'timeouts', 'backendRequest']) !== undefined) {
    f.warn([...path, 'timeouts', 'backendRequest'], 'per-attempt timeouts are not supported; ignored');
  }
  const unavailable = refs.length === 0 ? reasons.join('; ') : undefined;
  const route: Route = {
    name,
    matches: modelMatchList,
    backends: refs,
    listedModels: unavailable ? [] : listedModels(f, path, modelMatchList, ctx.now),
    ...(timeoutMs ? { timeoutMs } : {}),
    ...(routingAlgorithm ? { routingAlgorithm } : {}),
    ...(unavailable ? { unavailable } : {}),
  };
  return { route, catchAll };
}

/** The model matches of a rule; 'all' when it has none, 'none' when every one was dropped. */
function modelMatches(f: Fields, rulePath: (string | number)[]): ModelMatch[] | 'all' | 'none' {
  const matches = f.list([...rulePath, 'matches']);
  if (matches.length === 0) return 'all';
  const out: ModelMatch[] = [];
  let matchesAll = false;
  matches.forEach((_, i) => {
    const path = [...rulePath, 'matches', i];
    f.mapping(path, true);
    f.unknownKeys(path, ['headers']);
    const headers = f.list([...path, 'headers']);
    let model: ModelMatch | undefined;
    let other: string | undefined;
    headers.forEach((__, h) => {
      const hp = [...path, 'headers', h];
      const name = f.string([...hp, 'name'], true);
      if (name.toLowerCase() !== MODEL_HEADER) {
        other = name;
        return;
      }
      const type = f.string([...hp, 'type']) ?? 'Exact';
      const value = f.string([...hp, 'value'], true);
      if (type === 'Exact') model = { kind: 'exact', name: value };
      else if (type === 'RegularExpression') {
        try {
          model = { kind: 'regex', pattern: compileRe2(value) };
        } catch (err) {
          if (err instanceof Re2Error)
            throw f.fail([...hp, 'value'], `RE2 pattern ${JSON.stringify(value)}: ${err.message}`);
          throw err;
        }
      } else throw f.fail([...hp, 'type'], `unknown match type "${type}" (use Exact or RegularExpression)`);
    });
    if (other !== undefined) {
      f.warn(path, `matching on header "${other}" is not supported; this match is dropped`);
      return;
    }
    if (model) out.push(model);
    else matchesAll = true;
  });
  if (matchesAll) return 'all';
  return out.length ? out : 'none';
}

function backendRef(
  f: Fields,
  path: (string | number)[],
  ctx: RouteContext,
): BackendRef | { reason: string } {
  f.mapping(path, true);
  f.unknownKeys(path, REF_KEYS);
  const name = f.string([...path, 'name'], true);
  const kind = f.string([...path, 'kind']);
  if (kind !== undefined && kind !== 'AIServiceBackend') {
    f.warn([...path, 'kind'], `backend kind "${kind}" is not supported; this backend is dropped`);
    return { reason: `backend "${name}" is a ${kind}, which Switchyard does not support` };
  }
  const namespace = referencedNamespace(f, path);
  const resource = ctx.backends.find(namespace, name);
  if (!resource)
    throw f.fail([...path, 'name'], `AIServiceBackend "${namespace}/${name}" is not defined in the file`);
  const resolution: BackendResolution = ctx.backends.resolve(resource);
  if (!resolution.ok) return { reason: resolution.reason };

  const extraHeaders = headerMutation(f, [...path, 'headerMutation']);
  if (f.get([...path, 'bodyMutation']) !== undefined) {
    f.warn([...path, 'bodyMutation'], 'body mutation is not supported; ignored');
  }
  // Headers set on the reference win over the AIServiceBackend's own (as in aigw).
  const backend = Object.keys(extraHeaders).length
    ? { ...resolution.backend, headers: { ...resolution.backend.headers, ...extraHeaders } }
    : resolution.backend;
  const override = f.string([...path, 'modelNameOverride']);
  return {
    backend,
    weight: f.integer([...path, 'weight'], 0, 2_147_483_647) ?? 1,
    priority: f.integer([...path, 'priority'], 0, 4_294_967_295) ?? 0,
    ...(override ? { modelNameOverride: override } : {}),
  };
}

function listedModels(
  f: Fields,
  rulePath: (string | number)[],
  matches: readonly ModelMatch[],
  now: number,
): ListedModel[] {
  const ownedBy = f.string([...rulePath, 'modelsOwnedBy']) ?? DEFAULT_OWNER;
  const createdText = f.string([...rulePath, 'modelsCreatedAt']);
  let created = now;
  if (createdText !== undefined) {
    const ms = Date.parse(createdText);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(createdText) || Number.isNaN(ms)) {
      throw f.fail(
        [...rulePath, 'modelsCreatedAt'],
        `"${createdText}" is not an RFC 3339 time like 2025-05-23T00:00:00Z`,
      );
    }
    created = Math.floor(ms / 1000);
  }
  return matches.flatMap((m) => (m.kind === 'exact' ? [{ id: m.name, ownedBy, created }] : []));
}

/** Routing algorithms from annotations: key `*` for the whole route, rule index otherwise. */
function ruleAlgorithms(f: Fields, rules: readonly unknown[]): Map<number | '*', string> {
  const out = new Map<number | '*', string>();
  const annotations = f.resource.annotations;
  for (const [key, value] of Object.entries(annotations)) {
    if (key !== ALGORITHM_ANNOTATION && !key.startsWith(`${ALGORITHM_ANNOTATION}.`)) continue;
    const path = ['metadata', 'annotations', key];
    if (!value.trim()) throw f.fail(path, 'names no routing algorithm');
    if (key === ALGORITHM_ANNOTATION) {
      out.set('*', value.trim());
      continue;
    }
    const ruleName = key.slice(ALGORITHM_ANNOTATION.length + 1);
    const index = rules.findIndex((_, i) => f.get(['spec', 'rules', i, 'name']) === ruleName);
    if (index < 0) throw f.fail(path, `no rule is named "${ruleName}" (set rules[].name)`);
    out.set(index, value.trim());
  }
  return out;
}
