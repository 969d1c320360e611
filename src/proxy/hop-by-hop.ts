/**
 * Header hygiene for a proxy.
 *
 * RFC 9110 §7.6.1: a proxy must not forward the Connection header, nor any header listed
 * in it, nor the classic hop-by-hop headers (Keep-Alive, Proxy-Connection, TE,
 * Transfer-Encoding, Upgrade, Trailer, Proxy-Authenticate, Proxy-Authorization).
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

const NONE: ReadonlySet<string> = new Set();

/** Names listed in a Connection header value (lower-cased). */
export function connectionListed(headers: IncomingHttpHeaders): ReadonlySet<string> {
  const value = headers['connection'];
  // Usually absent, or a lone keep-alive/close, which is hop-by-hop anyway.
  if (!value || value === 'keep-alive' || value === 'close') return NONE;
  const out = new Set<string>();
  for (const token of value.split(',')) {
    const name = token.trim().toLowerCase();
    if (name) out.add(name);
  }
  return out;
}

/** Copies `headers` without hop-by-hop headers, those in `drop`, and those Connection lists. */
export function endToEndHeaders(
  headers: IncomingHttpHeaders,
  drop: ReadonlySet<string>,
): OutgoingHttpHeaders {
  const listed = connectionListed(headers);
  const out: OutgoingHttpHeaders = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || HOP_BY_HOP.has(name) || listed.has(name) || drop.has(name)) continue;
    out[name] = value;
  }
  return out;
}

/** RFC 7239 §5.2 successor practice: append the peer to X-Forwarded-For. */
export function appendForwardedFor(
  existing: string | string[] | undefined,
  peer: string | undefined,
): string | undefined {
  if (!peer) return Array.isArray(existing) ? existing.join(', ') : existing;
  const previous = Array.isArray(existing) ? existing.join(', ') : existing;
  return previous ? `${previous}, ${peer}` : peer;
}
