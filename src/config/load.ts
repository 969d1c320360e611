/**
 * Picks the config sources for `switchyard run` and merges their routes, in this order:
 * 1. the AIBrix endpoints file (`--endpoints-config`): exact model names;
 * 2. the Envoy AI Gateway resource file (positional argument), or, without one, the
 *    OpenAI/Azure environment variables (as `aigw run` does).
 * With none of them, the caller starts the embedded simulated fleet.
 */
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
}

/** The configured routes, or undefined when nothing is configured at all. */
export function loadRoutes(sources: RouteSources): LoadedRoutes | undefined {
  const routes: Route[] = [];
  const described: string[] = [];
  if (sources.endpointsFile) {
    routes.push(...loadEndpointsFile(sources.endpointsFile));
    described.push(`endpoints file ${sources.endpointsFile}`);
  }
  if (sources.configFile) {
    throw new ConfigError(
      sources.configFile,
      '',
      'Envoy AI Gateway resource files are not supported yet; use --endpoints-config',
    );
  }
  if (routes.length === 0) return undefined;
  checkDistinctNames(routes);
  return { routes, source: described.join(' + ') };
}

function checkDistinctNames(routes: readonly Route[]): void {
  const seen = new Set<string>();
  for (const route of routes) {
    for (const m of route.matches) {
      if (m.kind !== 'exact') continue;
      if (seen.has(m.name))
        throw new ConfigError('config', 'models', `model "${m.name}" is defined by more than one source`);
      seen.add(m.name);
    }
  }
}
