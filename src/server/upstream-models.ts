/**
 * The model lists of upstream providers, for routes that ask to show them in
 * `GET /v1/models` (`Route.listsUpstreamModels`, set by the env auto-config).
 *
 * Each list is fetched from the route's first backend (lowest priority, highest weight) at
 * its adapter's `modelsPath`, with the adapter's credentials, under a short timeout. A list
 * is cached for `ttlMs`; a failure (logged without headers) is cached as an empty list for
 * `failureTtlMs`, so a broken upstream never slows `GET /v1/models` down for long.
 * Concurrent callers share one fetch. Shared by all requests.
 */
import type { ListedModel, Route } from '../config/model.js';
import type { AdapterTable } from '../providers/adapters.js';
import { callUpstream, readText } from '../proxy/upstream-call.js';
import type { EndpointRegistry } from '../routing/endpoint-state.js';
import type { Logger } from '../telemetry/logger.js';

export interface UpstreamModelsOptions {
  readonly ttlMs?: number;
  readonly failureTtlMs?: number;
  readonly timeoutMs?: number;
}

const MAX_LIST_BYTES = 4 * 1024 * 1024;

export class UpstreamModels {
  private readonly cache = new WeakMap<Route, { expires: number; models: Promise<ListedModel[]> }>();
  private readonly ttlMs: number;
  private readonly failureTtlMs: number;
  private readonly timeoutMs: number;

  constructor(
    private readonly deps: { adapters: AdapterTable; endpoints: EndpointRegistry; logger: Logger },
    options: UpstreamModelsOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 60_000;
    this.failureTtlMs = options.failureTtlMs ?? 10_000;
    this.timeoutMs = options.timeoutMs ?? 3_000;
  }

  /** The upstream lists of every route in `routes` that asks for one; never rejects. */
  async collect(routes: readonly Route[]): Promise<Map<Route, readonly ListedModel[]>> {
    const wanted = routes.filter((r) => r.listsUpstreamModels && !r.unavailable && r.backends.length > 0);
    const lists = await Promise.all(wanted.map((r) => this.forRoute(r)));
    return new Map(wanted.map((r, i) => [r, lists[i]!]));
  }

  private forRoute(route: Route): Promise<ListedModel[]> {
    const now = Date.now();
    const cached = this.cache.get(route);
    if (cached && cached.expires > now) return cached.models;
    const entry = { expires: now + this.ttlMs, models: Promise.resolve<ListedModel[]>([]) };
    entry.models = this.fetch(route).catch((err: unknown) => {
      entry.expires = Date.now() + this.failureTtlMs;
      this.deps.logger.warn(
        { route: route.name, reason: err instanceof Error ? err.message : String(err) },
        'could not fetch the upstream model list; GET /v1/models shows none for this route',
      );
      return [];
    });
    this.cache.set(route, entry);
    return entry.models;
  }

  private async fetch(route: Route): Promise<ListedModel[]> {
    const ref = [...route.backends].sort((a, b) => a.priority - b.priority || b.weight - a.weight)[0]!;
    const adapter = this.deps.adapters.for(ref.backend);
    if (!adapter.modelsPath) return [];
    const spec =
      ref.backend.endpoints.find((e) => this.deps.endpoints.state(e).healthy) ?? ref.backend.endpoints[0];
    if (!spec) return [];
    const signal = AbortSignal.timeout(this.timeoutMs);
    const response = await callUpstream({
      endpoint: spec,
      method: 'GET',
      path: adapter.modelsPath,
      headers: { ...adapter.headers, accept: 'application/json' },
      connectTimeoutMs: this.timeoutMs,
      firstByteTimeoutMs: this.timeoutMs,
      idleTimeoutMs: this.timeoutMs,
      signal,
    });
    const body = await readText(response, MAX_LIST_BYTES, () => new Error('the model list is too large'));
    if (response.statusCode !== 200) throw new Error(`${spec.id} answered ${response.statusCode}`);
    return parseModelList(body, ref.backend.name);
  }
}

/** An OpenAI `{"data":[{"id","created","owned_by"}]}` list; entries without an id are skipped. */
export function parseModelList(body: string, defaultOwner: string): ListedModel[] {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new Error('the model list is not JSON');
  }
  const data = (json as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) throw new Error('the model list has no "data" array');
  const out: ListedModel[] = [];
  for (const item of data) {
    if (item === null || typeof item !== 'object') continue;
    const { id, created, owned_by: ownedBy } = item as Record<string, unknown>;
    if (typeof id !== 'string' || !id) continue;
    out.push({
      id,
      ownedBy: typeof ownedBy === 'string' ? ownedBy : defaultOwner,
      created: typeof created === 'number' && Number.isFinite(created) ? created : 0,
    });
  }
  return out;
}
