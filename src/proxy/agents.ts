import http from 'node:http';
import https from 'node:https';

/**
 * Shared keep-alive agents for upstream connections. Re-using connections saves a TCP
 * (and TLS) handshake per request; `lifo` keeps the warmest sockets busy so idle ones
 * can time out.
 */
const common = {
  keepAlive: true,
  keepAliveMsecs: 1_000,
  maxSockets: Infinity,
  maxFreeSockets: 512,
  scheduling: 'lifo' as const,
  noDelay: true,
};

export const httpAgent = new http.Agent(common);
export const httpsAgent = new https.Agent(common);

export function destroyAgents(): void {
  httpAgent.destroy();
  httpsAgent.destroy();
}
