/**
 * Shared keep-alive connection pools for upstream calls (undici), one per connect timeout
 * in use (the gateway has one). Re-using connections saves a TCP (and TLS) handshake per
 * request. undici was measured against node:http's keep-alive agent on the same relay
 * (`npm run bench`): about a quarter less CPU per proxied request.
 */
import { createRequire } from 'node:module';
import type { Agent as AgentType } from 'undici';

// Only undici's Agent (and the pool and client under it): the package's entry point also
// loads fetch, WebSocket, caches and mocks, about 10 MB more resident memory for nothing.
// undici is pinned to one version, whose files these are.
const Agent = createRequire(import.meta.url)('undici/lib/dispatcher/agent.js') as typeof AgentType;
type Agent = AgentType;

const agents = new Map<number, Agent>();

/** The pool for calls with this connect timeout. */
export function dispatcherFor(connectTimeoutMs: number): Agent {
  let agent = agents.get(connectTimeoutMs);
  if (!agent) {
    agent = new Agent({
      connect: { timeout: connectTimeoutMs, noDelay: true },
      // Idle connections are kept a while for the next request (the upstream's own
      // keep-alive hint, when shorter, wins).
      keepAliveTimeout: 15_000,
      keepAliveMaxTimeout: 60_000,
      pipelining: 1,
    });
    agents.set(connectTimeoutMs, agent);
  }
  return agent;
}

/** Closes every pool's connections (gateway shutdown). */
export function destroyAgents(): void {
  for (const agent of agents.values()) void agent.destroy().catch(() => {});
  agents.clear();
}
