/**
 * How names from many MCP servers share one namespace, as `aigw run` writes them:
 * - tools and prompts: `<server>__<name>` (tool names allow only `[A-Za-z0-9_.-]`, so the
 *   separator is a double underscore);
 * - resource names also get `<server>__`, and resource URIs and URI templates become
 *   `<server>+<uri>` (`notes+file:///a.md`), which keeps the path intact so templates still
 *   match; `ui://` URIs, whose scheme hosts look for, become `ui://<server>/<rest>`.
 * Server names are restricted (see `isValidServerName`) so that every prefixed name splits
 * back to exactly one server.
 */

export const NAME_SEPARATOR = '__';
export const URI_SEPARATOR = '+';
const UI_SCHEME = 'ui://';

export const SERVER_NAME_RULE =
  'use letters, digits, "-", "_" and ".", without "__" and not ending in "_" (it prefixes tool names as <server>__<tool>)';

/** Letters, digits, `-`, `_`, `.`; no `__`, no trailing `_`; at most 64 characters. */
export function isValidServerName(name: string): boolean {
  return /^[A-Za-z0-9._-]{1,64}$/.test(name) && !name.includes(NAME_SEPARATOR) && !name.endsWith('_');
}

export function prefixName(server: string, name: string): string {
  return `${server}${NAME_SEPARATOR}${name}`;
}

/** A prefixed name split into its server and upstream name, or undefined when no server matches. */
export function splitName(
  prefixed: string,
  servers: ReadonlySet<string>,
): { server: string; name: string } | undefined {
  const at = prefixed.indexOf(NAME_SEPARATOR);
  if (at <= 0) return undefined;
  const server = prefixed.slice(0, at);
  const name = prefixed.slice(at + NAME_SEPARATOR.length);
  return servers.has(server) && name !== '' ? { server, name } : undefined;
}

export function namespaceUri(server: string, uri: string): string {
  if (uri.startsWith(UI_SCHEME)) return `${UI_SCHEME}${server}/${uri.slice(UI_SCHEME.length)}`;
  return `${server}${URI_SEPARATOR}${uri}`;
}

/** The inverse of `namespaceUri`, or undefined when the URI names no configured server. */
export function splitUri(
  namespaced: string,
  servers: ReadonlySet<string>,
): { server: string; uri: string } | undefined {
  if (namespaced.startsWith(UI_SCHEME)) {
    const rest = namespaced.slice(UI_SCHEME.length);
    const slash = rest.indexOf('/');
    const server = slash > 0 ? rest.slice(0, slash) : '';
    return servers.has(server) ? { server, uri: `${UI_SCHEME}${rest.slice(slash + 1)}` } : undefined;
  }
  const at = namespaced.indexOf(URI_SEPARATOR);
  if (at <= 0) return undefined;
  const server = namespaced.slice(0, at);
  const uri = namespaced.slice(at + 1);
  return servers.has(server) && uri !== '' ? { server, uri } : undefined;
}
