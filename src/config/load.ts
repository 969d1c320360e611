/**
 * Picks the config sources for `switchyard run` and merges their routes, in this order:
 * 1. the AIBrix endpoints file (`--endpoints-config`): exact model names;
 * 2. the Envoy AI Gateway resource file (positional argument), or, without one, the
 *    OpenAI/Azure environment variables (as `aigw run` does), whose catch-all route then
 *    takes every model the endpoints file does not name.
 * With none of them, the caller starts the embedded simulated fleet.
 */
import { type AigwConfig, loadAigwFile } from './aigw/config-file.js';
import { envRoute } from './aigw/env-autoconfig.js';
import { ConfigError } from './config-error.js';
import { loadEndpointsFile } from './endpoints-file.js';
import type { Route } from './model.js';

export interface RouteSources {
  readonly endpointsFile?: string;
  readonly configFile?: string;
  readonly env: NodeJS.ProcessEnv;
}

export interface LoadedRoutes {
  readonly routes: Route[];
  readonly source: string;
  /** API port from the config file's Gateway listener (flags given explicitly win). */
  readonly listenPort?: number;
  /** Body limit from the config file's ClientTrafficPolicy (flags given explicitly win). */
  readonly maxBodyBytes?: number;
  /** Differences from what the config asked for, to log at start. */
  readonly warnings: readonly string[];
  /** Resources accepted but not used, to log at start. */
  readonly ignored: readonly string[];
}

/** The configured routes, or undefined when nothing is configured at all. */
export function loadRoutes(sources: RouteSources): LoadedRoutes | undefined {
  const groups: { source: string; routes: Route[] }[] = [];
  let aigw: AigwConfig | undefined;
  const warnings: string[] = [];
  if (sources.endpointsFile) {
    groups.push({
      source: `endpoints file ${sources.endpointsFile}`,
      routes: loadEndpointsFile(sources.endpointsFile),
    });
  }
  if (sources.configFile) {
    aigw = loadAigwFile(sources.configFile, { env: sources.env });
    groups.push({ source: `config file ${sources.configFile}`, routes: aigw.routes });
    warnings.push(...aigw.warnings);
  } else {
    // With a config file the environment only fills its ${VAR}s, as in aigw.
    const route = envRoute(sources.env);
    if (route) {
      const provider =
        route.backends[0]!.backend.provider.schema === 'azure-openai' ? 'Azure OpenAI' : 'OpenAI';
      groups.push({ source: `environment (${provider})`, routes: [route] });
    }
  }
  const routes = groups.flatMap((g) => g.routes);
  if (routes.length === 0) return undefined;
  checkDistinctNames(groups);
  return {
    routes,
    source: groups.map((g) => g.source).join(' + '),
    ...(aigw?.listenPort !== undefined ? { listenPort: aigw.listenPort } : {}),
    ...(aigw?.maxBodyBytes !== undefined ? { maxBodyBytes: aigw.maxBodyBytes } : {}),
    warnings,
    ignored: aigw?.ignored ?? [],
  };
}

/** An exact model name may be defined by one source only (inside a source, the first rule wins). */
function checkDistinctNames(groups: readonly { source: string; routes: readonly Route[] }[]): void {
  const owner = new Map<string, string>();
  for (const group of groups) {
    const names = new Set<string>();
    for (const route of group.routes) {
      for (const m of route.matches) if (m.kind === 'exact') names.add(m.name);
    }
    for (const name of names) {
      const other = owner.get(name);
      if (other !== undefined) {
        throw new ConfigError(
          'config',
          'models',
          `model "${name}" is defined by both ${other} and ${group.source}`,
        );
      }
      owner.set(name, group.source);
    }
  }
}
