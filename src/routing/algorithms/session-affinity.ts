import { randomUUID } from 'node:crypto';
import type { EndpointView } from '../endpoint-state.js';
import {
  leastLoaded,
  type Router,
  type RoutingChoice,
  type RoutingFeedback,
  type RoutingRequest,
} from '../router.js';

/** Session headers, in the order they are read. */
export const SESSION_HEADERS = ['x-session-id', 'x-session-key'] as const;
const MAX_SESSIONS = 100_000;
const MAX_KEY_LENGTH = 256;

export interface SessionAffinityOptions {
  /** A session unused for this long is forgotten. */
  readonly ttlMs: number;
  readonly random: () => number;
  readonly clock?: () => number;
  readonly maxSessions?: number;
}

/**
 * Requests with the same `x-session-id` (or `x-session-key`) go to the same endpoint while
 * it is healthy, so a conversation keeps its KV cache (and any engine-side state).
 *
 * - A new session goes to the least loaded endpoint and is remembered.
 * - No session header: the gateway starts a session, and returns its id in `x-session-id`;
 *   a client that sends it back sticks from then on.
 * - The session's endpoint is unhealthy or gone: the session moves to the least loaded
 *   endpoint, reported as a fallback to `least-request` (`session_endpoint_unavailable`).
 * The response always carries the session header (the name the client used).
 * Sessions live in gateway memory: at most 100,000, least recently used forgotten first,
 * and forgotten after `--session-ttl` unused.
 */
export class SessionAffinityRouter implements Router, RoutingFeedback {
  readonly name = 'session-affinity';
  /** session key -> endpoint id and last use; Map order is least recently used first. */
  private readonly sessions = new Map<string, { endpoint: string; usedAt: number }>();
  private readonly clock: () => number;

  constructor(private readonly options: SessionAffinityOptions) {
    this.clock = options.clock ?? Date.now;
  }

  pick(request: RoutingRequest, candidates: readonly EndpointView[]): RoutingChoice {
    const session = sessionOf(request);
    if (!session) {
      const endpoint = leastLoaded(candidates, this.options.random);
      return { endpoint, responseHeaders: { 'x-session-id': randomUUID() } };
    }
    const responseHeaders = { [session.header]: session.key };
    const known = this.lookup(session.key);
    if (!known) return { endpoint: leastLoaded(candidates, this.options.random), responseHeaders };
    const sticky = candidates.find((c) => c.id === known);
    if (sticky) return { endpoint: sticky, responseHeaders };
    return {
      endpoint: leastLoaded(candidates, this.options.random),
      responseHeaders,
      fallback: {
        to: 'least-request',
        reason: 'session_endpoint_unavailable',
        detail: `session endpoint ${known} is not available`,
      },
    };
  }

  onRouted(_request: RoutingRequest, choice: RoutingChoice): void {
    const headers = choice.responseHeaders ?? {};
    const key = SESSION_HEADERS.map((h) => headers[h]).find((v) => v !== undefined);
    if (key === undefined) return;
    this.sessions.delete(key);
    this.sessions.set(key, { endpoint: choice.endpoint.id, usedAt: this.clock() });
    this.evict();
  }

  /** The endpoint id a session is bound to, if it is still remembered. */
  lookup(key: string): string | undefined {
    const entry = this.sessions.get(key);
    if (!entry) return undefined;
    if (this.clock() - entry.usedAt > this.options.ttlMs) {
      this.sessions.delete(key);
      return undefined;
    }
    return entry.endpoint;
  }

  private evict(): void {
    const max = this.options.maxSessions ?? MAX_SESSIONS;
    const oldest = this.clock() - this.options.ttlMs;
    for (const [key, entry] of this.sessions) {
      if (this.sessions.size <= max && entry.usedAt >= oldest) break;
      this.sessions.delete(key);
    }
  }
}

/** The session key the client sent, and under which header. */
function sessionOf(request: RoutingRequest): { header: string; key: string } | undefined {
  for (const header of SESSION_HEADERS) {
    const raw = request.headers[header];
    const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
    if (value) return { header, key: value.slice(0, MAX_KEY_LENGTH) };
  }
  return undefined;
}
