/** Parses `host:port`, `host`, `[v6]:port` and `http(s)://host:port` endpoint addresses. */

export interface ParsedAddress {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
}

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9_]([A-Za-z0-9_-]{0,62})(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,62}))*\.?$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Returns the parsed address, or a string saying what is wrong with it. */
export function parseAddress(raw: string, defaultPort: number): ParsedAddress | string {
  let text = raw.trim();
  if (!text) return 'address is empty';
  let tls = false;
  const scheme = /^([a-z]+):\/\//i.exec(text);
  if (scheme) {
    const name = scheme[1]!.toLowerCase();
    if (name !== 'http' && name !== 'https') return `unsupported scheme "${name}" (use http or https)`;
    tls = name === 'https';
    text = text.slice(scheme[0].length).replace(/\/+$/, '');
    if (text.includes('/')) return 'an endpoint address cannot contain a path';
  }
  let host: string;
  let portText: string | undefined;
  if (text.startsWith('[')) {
    const end = text.indexOf(']');
    if (end < 0) return 'unclosed "[" in IPv6 address';
    host = text.slice(1, end);
    const rest = text.slice(end + 1);
    if (rest) {
      if (!rest.startsWith(':')) return `unexpected "${rest}" after IPv6 address`;
      portText = rest.slice(1);
    }
    if (!/^[0-9a-fA-F:.]+$/.test(host) || !host.includes(':')) return `"${host}" is not an IPv6 address`;
  } else {
    const parts = text.split(':');
    if (parts.length > 2) return 'IPv6 addresses must be written in brackets, like [::1]:8000';
    host = parts[0]!;
    portText = parts[1];
    if (!IPV4.test(host) && !HOSTNAME.test(host)) return `"${host}" is not a valid host name or IPv4 address`;
    if (/^\d+(\.\d+)*$/.test(host) && !IPV4.test(host)) return `"${host}" is not a valid IPv4 address`;
  }
  let port = scheme && portText === undefined ? (tls ? 443 : 80) : defaultPort;
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText)) return `port "${portText}" is not a number`;
    port = Number(portText);
    if (port < 1 || port > 65535) return `port ${port} is out of range 1-65535`;
  }
  return { host, port, tls };
}

/** The `host:port` form used as endpoint id and `target-pod` value. */
export function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
