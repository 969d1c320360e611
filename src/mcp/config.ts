/**
 * The MCP servers the gateway aggregates, read from `--mcp-config FILE` or `--mcp-json 'JSON'`
 * in the format MCP clients share (Claude Desktop, Cursor, VS Code, Gemini CLI, `aigw run`):
 *
 *   {"mcpServers": {"github": {"type": "http", "url": "https://...", "headers": {...},
 *                              "includeTools": ["search_issues"]}}}
 *
 * Everything is checked at start: bad JSON, an unknown transport type, a missing or bad url,
 * a header whose `${VAR}` is not set, or a server name that cannot prefix tool names fails
 * with a `ConfigError` naming the server and the field. Header values are secrets: they are
 * substituted here and never appear in a message.
 */
import { readFileSync } from 'node:fs';
import { ConfigError, fieldPath } from '../config/config-error.js';
import { asList, asMapping, asString, describe, onlyKeys, type Path } from '../config/shape.js';
import { isValidServerName, SERVER_NAME_RULE } from './names.js';

/** One upstream MCP server, fully resolved. */
export interface McpServerConfig {
  /** The key under `mcpServers`; prefixes its tools (`<name>__<tool>`) and resource URIs (`<name>+<uri>`). */
  readonly name: string;
  /** Streamable HTTP endpoint, e.g. `http://127.0.0.1:3000/mcp`. */
  readonly url: URL;
  /** Sent on every request to this server, `${VAR}` already substituted. Secret: never log. */
  readonly headers: Readonly<Record<string, string>>;
  /** Upstream tool names exposed through the gateway; undefined exposes every tool. */
  readonly includeTools?: ReadonlySet<string>;
}

export interface McpConfig {
  readonly servers: readonly McpServerConfig[];
  /** Where the config came from, for the startup log and error messages. */
  readonly source: string;
  /** Items per page of the lists the gateway returns (`--mcp-page-size`); a default when unset. */
  readonly pageSize?: number;
}

/** Transport spellings found in the wild that all mean streamable HTTP (as `aigw run` accepts). */
export const STREAMABLE_HTTP_TYPES = [
  'http',
  'streamable-http',
  'streamable_http',
  'streamableHttp',
] as const;

const SERVER_KEYS = ['type', 'url', 'headers', 'includeTools'];

export interface McpConfigSources {
  readonly file?: string;
  readonly json?: string;
}

/**
 * Reads the MCP config from `--mcp-config FILE` or `--mcp-json JSON` (never both), or returns
 * undefined when neither is given.
 */
export function loadMcpConfig(sources: McpConfigSources, env: NodeJS.ProcessEnv): McpConfig | undefined {
  if (sources.file !== undefined && sources.json !== undefined) {
    throw new ConfigError(
      'switchyard run',
      '',
      '--mcp-config and --mcp-json are mutually exclusive; pass one',
    );
  }
  if (sources.file !== undefined) {
    let text: string;
    try {
      text = readFileSync(sources.file, 'utf8');
    } catch (err) {
      throw new ConfigError(
        sources.file,
        '',
        `cannot read the MCP config: ${(err as NodeJS.ErrnoException).code ?? err}`,
      );
    }
    return parseMcpConfig(text, sources.file, env);
  }
  if (sources.json !== undefined) return parseMcpConfig(sources.json, '--mcp-json', env);
  return undefined;
}

/** Parses and validates one MCP config document; `source` names it in errors. */
export function parseMcpConfig(text: string, source: string, env: NodeJS.ProcessEnv): McpConfig {
  const fail = (path: Path, problem: string) => new ConfigError(source, fieldPath(path), problem);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(source, '', `not valid JSON: ${(err as Error).message}`);
  }
  const root = asMapping(doc, [], fail);
  onlyKeys(root, ['mcpServers'], [], fail);
  if (root['mcpServers'] === undefined)
    throw fail(['mcpServers'], 'missing: list the servers under "mcpServers"');
  const servers = asMapping(root['mcpServers'], ['mcpServers'], fail);
  const names = Object.keys(servers);
  if (names.length === 0) throw fail(['mcpServers'], 'names no server');
  return {
    servers: names.map((name) => parseServer(name, servers[name], ['mcpServers', name], fail, env)),
    source,
  };
}

function parseServer(
  name: string,
  value: unknown,
  path: Path,
  fail: (path: Path, problem: string) => Error,
  env: NodeJS.ProcessEnv,
): McpServerConfig {
  if (!isValidServerName(name)) throw fail(path, `server name "${name}" is not usable: ${SERVER_NAME_RULE}`);
  const entry = asMapping(value, path, fail);
  if ('command' in entry) {
    throw fail(
      [...path, 'command'],
      'stdio servers (started by a command) are not supported: the gateway reaches MCP servers over streamable HTTP; give a url',
    );
  }
  onlyKeys(entry, SERVER_KEYS, path, fail);

  const type = entry['type'];
  if (type !== undefined && !(STREAMABLE_HTTP_TYPES as readonly unknown[]).includes(type)) {
    throw fail(
      [...path, 'type'],
      `unsupported transport ${describe(type)}: the gateway speaks streamable HTTP (${STREAMABLE_HTTP_TYPES.join(', ')})`,
    );
  }
  if (entry['url'] === undefined)
    throw fail([...path, 'url'], 'missing: a streamable HTTP server needs a url');
  const rawUrl = asString(entry['url'], [...path, 'url'], fail);
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw fail([...path, 'url'], `not a valid URL: ${JSON.stringify(rawUrl)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw fail([...path, 'url'], `must be an http:// or https:// URL, got ${JSON.stringify(url.protocol)}`);
  }

  const headers: Record<string, string> = {};
  if (entry['headers'] !== undefined) {
    const map = asMapping(entry['headers'], [...path, 'headers'], fail);
    for (const [header, raw] of Object.entries(map)) {
      const at = [...path, 'headers', header];
      if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(header)) throw fail(at, 'not a valid HTTP header name');
      if (typeof raw !== 'string') throw fail(at, `expected a string, got ${describe(raw).split(' ')[0]}`);
      headers[header] = substituteEnv(raw, env, (problem) => fail(at, problem));
    }
  }

  let includeTools: Set<string> | undefined;
  if (entry['includeTools'] !== undefined) {
    const list = asList(entry['includeTools'], [...path, 'includeTools'], fail);
    if (list.length === 0) {
      throw fail(
        [...path, 'includeTools'],
        'is empty, which would hide every tool; omit it to expose all tools',
      );
    }
    includeTools = new Set(list.map((tool, i) => asString(tool, [...path, 'includeTools', i], fail)));
  }
  return { name, url, headers, ...(includeTools ? { includeTools } : {}) };
}

/**
 * Replaces each `${VAR}` with the variable's value. An unset or empty variable is an error
 * (a request with `Authorization: Bearer ` would fail later and less clearly). The message
 * names the variable, never the value.
 */
export function substituteEnv(
  value: string,
  env: NodeJS.ProcessEnv,
  fail: (problem: string) => Error,
): string {
  const out = value.replace(/\$\{([^}]*)\}/g, (_match, name: string) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw fail(`bad variable reference "\${${name}}"`);
    const resolved = env[name];
    if (resolved === undefined || resolved === '') {
      throw fail(`environment variable ${name} is not set`);
    }
    return resolved;
  });
  if (/[\r\n\0]/.test(out))
    throw fail('the value contains a line break or NUL, which HTTP headers cannot carry');
  return out;
}
