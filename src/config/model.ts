/**
 * The one runtime model every config source is translated into.
 *
 * Nothing after `config/` knows whether a route came from an AIBrix endpoints file, an
 * Envoy AI Gateway resource file, the OpenAI/Azure environment variables or the embedded
 * simulated fleet. All fields are plain data, fully resolved (ports defaulted, secrets
 * substituted) and validated by the loader that produced them.
 */

/** Which engine role an endpoint plays, in vLLM's disaggregated prefill/decode style. */
export type EndpointRole = 'both' | 'prefill' | 'decode';

/** One upstream address. Its `id` (`host:port`) is what `target-pod` reports. */
export interface EndpointSpec {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  readonly role: EndpointRole;
  /** The AIBrix roleset this endpoint belongs to, for prefill/decode models. */
  readonly roleset?: string;
  /** Where the engine's Prometheus metrics are; `undefined` means `http(s)://host:port/metrics`. */
  readonly metricsUrl?: string;
}

/** How requests are written for one upstream: path layout and model placement. */
export type ProviderSpec =
  | {
      readonly schema: 'openai' /** Path prefix before `/chat/completions` etc., e.g. `/v1`. */;
      readonly pathPrefix: string;
    }
  | {
      readonly schema: 'azure-openai';
      /** The `api-version` query parameter. */
      readonly apiVersion: string;
      /** Path before `/openai/deployments/...`; empty for a plain Azure endpoint. */
      readonly pathPrefix?: string;
    };

/** Credentials the gateway injects upstream, replacing whatever the client sent. */
export type BackendAuth =
  | { readonly kind: 'bearer'; readonly secret: string }
  | { readonly kind: 'api-key-header'; readonly header: string; readonly secret: string };

/** A group of endpoints that share a provider schema, credentials and headers. */
export interface Backend {
  readonly name: string;
  readonly provider: ProviderSpec;
  readonly endpoints: readonly EndpointSpec[];
  /** Engine kind as declared by the source (vllm, sglang, ...), informational. */
  readonly engine?: string;
  readonly auth?: BackendAuth;
  /** Extra headers set on every upstream request (OpenAI-Organization, ...). */
  readonly headers: Readonly<Record<string, string>>;
  /** Upper bound for one upstream request, in ms. */
  readonly timeoutMs?: number;
}

/** A backend as used by one route: its share of traffic and its fallback order. */
export interface BackendRef {
  readonly backend: Backend;
  /** Relative share among refs of the same priority; 0 never receives traffic unless alone. */
  readonly weight: number;
  /** 0 is tried first; higher numbers are fallbacks. */
  readonly priority: number;
  /** Model name written into the upstream request instead of the client's. */
  readonly modelNameOverride?: string;
}

export type ModelMatch =
  { readonly kind: 'exact'; readonly name: string } | { readonly kind: 'regex'; readonly pattern: RegExp };

/** An entry of `GET /v1/models`. */
export interface ListedModel {
  readonly id: string;
  readonly ownedBy: string;
  /** Unix seconds. */
  readonly created: number;
}

/** A rule: which request models it takes and where they go. Routes are evaluated in order. */
export interface Route {
  readonly name: string;
  readonly matches: readonly ModelMatch[];
  readonly backends: readonly BackendRef[];
  /** Upper bound for the whole request through this route, in ms. */
  readonly timeoutMs?: number;
  /** Routing algorithm for this route (Switchyard extension); falls back to the gateway default. */
  readonly routingAlgorithm?: string;
  /** Models this route contributes to `GET /v1/models`. */
  readonly listedModels: readonly ListedModel[];
  /**
   * `GET /v1/models` also lists the models the route's first backend reports at its
   * provider's model-list path (the env auto-config's catch-all route sets it).
   */
  readonly listsUpstreamModels?: boolean;
  /**
   * Set when the route matches requests but cannot serve them (for example, every backend
   * uses a provider schema Switchyard does not support): they get a 501 naming this reason.
   */
  readonly unavailable?: string;
}

export interface ListenOptions {
  readonly host: string;
  readonly port: number;
  readonly adminHost: string;
  readonly adminPort: number;
}

export interface Limits {
  /** Largest accepted request body, in bytes. */
  readonly maxBodyBytes: number;
}

export interface Timeouts {
  /** Time to establish the upstream TCP/TLS connection. */
  readonly connectMs: number;
  /** Time from sending the request until the upstream's response headers. */
  readonly firstByteMs: number;
  /** Longest silence allowed inside a response body (streams included). */
  readonly idleMs: number;
  /** How long a graceful shutdown waits for in-flight requests. */
  readonly drainMs: number;
}

export interface RetryPolicy {
  /** Further attempts on other endpoints after a failure before any response byte. */
  readonly maxRetries: number;
}

export interface RoutingDefaults {
  /** Algorithm used when neither the request header nor the route chooses one. */
  readonly algorithm: string;
  /** Knobs of the algorithms and of engine-metrics scraping; unset fields take the defaults. */
  readonly tuning?: Partial<RoutingTuning>;
}

/** Routing knobs (README "Routing" documents each); defaults in `DEFAULT_ROUTING_TUNING`. */
export interface RoutingTuning {
  /** prefix-cache, pd: prompt tokens per hashed block of the prefix index. */
  readonly prefixBlockSize: number;
  /** prefix-cache, pd: the best match is overloaded when it has more than this many requests in flight above the least loaded candidate. */
  readonly loadImbalanceThreshold: number;
  /** prefix-cache, pd: a best match covering less of the prompt than this (0..1) goes by load instead. */
  readonly prefixMinMatchRatio: number;
  /** prefix-cache, pd: most blocks remembered per endpoint (least recently used go first). */
  readonly prefixIndexMaxBlocks: number;
  /** prefix-cache, pd: a block not used for this long is forgotten. */
  readonly prefixIndexTtlMs: number;
  /** session-affinity: a session not seen for this long is forgotten. */
  readonly sessionTtlMs: number;
  /** Engine `/metrics` scrape period; 0 turns scraping off. */
  readonly engineMetricsIntervalMs: number;
  /** Longest wait for one scrape. */
  readonly engineMetricsTimeoutMs: number;
}

export const DEFAULT_ROUTING_TUNING: RoutingTuning = {
  prefixBlockSize: 16,
  loadImbalanceThreshold: 8,
  prefixMinMatchRatio: 0.5,
  prefixIndexMaxBlocks: 65_536,
  prefixIndexTtlMs: 10 * 60_000,
  sessionTtlMs: 60 * 60_000,
  engineMetricsIntervalMs: 250,
  engineMetricsTimeoutMs: 1_000,
};

/** Everything the gateway needs to serve. */
export interface GatewayConfig {
  readonly routes: readonly Route[];
  readonly listen: ListenOptions;
  readonly limits: Limits;
  readonly timeouts: Timeouts;
  readonly routing: RoutingDefaults;
  readonly retry: RetryPolicy;
  /** Human description of where the routes came from, for the startup log. */
  readonly source: string;
}

export const DEFAULT_LISTEN: ListenOptions = {
  host: '0.0.0.0',
  port: 1975,
  adminHost: '0.0.0.0',
  adminPort: 1064,
};

export const DEFAULT_LIMITS: Limits = { maxBodyBytes: 50 * 1024 * 1024 };

export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 1 };

export const DEFAULT_TIMEOUTS: Timeouts = {
  connectMs: 10_000,
  firstByteMs: 600_000,
  idleMs: 300_000,
  drainMs: 30_000,
};
