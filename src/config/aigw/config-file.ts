/**
 * An Envoy AI Gateway config file (`switchyard run config.yaml`, as `aigw run config.yaml`)
 * -> routes and gateway settings, translated once:
 *
 *   read -> substitute environment variables -> parse the YAML documents -> resources ->
 *   backends (AIServiceBackend + Backend + policies + Secret) -> routes (AIGatewayRoute)
 *   + settings (Gateway port, ClientTrafficPolicy body limit).
 *
 * Kinds Switchyard has no use for (GatewayClass, EnvoyProxy, MCPRoute, HTTPRoute, ...) are
 * accepted and reported as ignored.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../config-error.js';
import type { Route } from '../model.js';
import { YamlSource } from '../yaml-source.js';
import { ServiceBackends } from './backends.js';
import { SubstitutionError, substituteEnv } from './envsubst.js';
import { type GatewaySettings, gatewaySettings } from './gateway-settings.js';
import { Diagnostics, ResourceSet } from './resources.js';
import { translateRoute } from './routes.js';

/** Kinds read here; every other kind is ignored (and listed in `ignored`). */
const TRANSLATED_KINDS = new Set([
  'AIGatewayRoute',
  'AIServiceBackend',
  'Backend',
  'BackendSecurityPolicy',
  'BackendTLSPolicy',
  'Secret',
  'Gateway',
  'ClientTrafficPolicy',
]);

export interface AigwConfig extends GatewaySettings {
  readonly routes: Route[];
  /** Things that behave differently than in aigw or were dropped, each naming its place. */
  readonly warnings: readonly string[];
  /** Resources accepted but not used, e.g. `file:3: document 1 (GatewayClass "aigw-run"): ignored`. */
  readonly ignored: readonly string[];
}

export interface AigwLoadOptions {
  readonly env: NodeJS.ProcessEnv;
  /** Unix seconds for models without `modelsCreatedAt`; defaults to now. */
  readonly now?: number;
}

export function loadAigwFile(file: string, options: AigwLoadOptions): AigwConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(
      file,
      '',
      code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory' : String(err),
    );
  }
  return translateAigw(file, text, options);
}

/** Translates the text of a config file named `file` (for messages). */
export function translateAigw(file: string, text: string, options: AigwLoadOptions): AigwConfig {
  let substituted: ReturnType<typeof substituteEnv>;
  try {
    substituted = substituteEnv(text, options.env);
  } catch (err) {
    if (err instanceof SubstitutionError) throw new ConfigError(`${file}:${err.line}`, '', err.message);
    throw err;
  }
  const source = YamlSource.parse(file, substituted.text);
  const diagnostics = new Diagnostics(source);
  for (const { name, line } of substituted.unset) {
    diagnostics.warnings.push(
      `${file}:${line}: environment variable ${name} is not set; it was replaced by ""`,
    );
  }
  const resources = ResourceSet.read(source, diagnostics);
  if (resources.all.length === 0) throw new ConfigError(file, '', 'the file holds no resources');

  const backends = new ServiceBackends(resources, options.env, diagnostics);
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const routes = resources
    .ofKind('AIGatewayRoute')
    .flatMap((r) => translateRoute(r, { backends, diagnostics, now }));
  // Backends no route uses are still checked, so a broken one is reported at start.
  for (const r of resources.ofKind('AIServiceBackend')) backends.resolve(r);
  if (routes.length === 0) throw new ConfigError(file, '', 'no AIGatewayRoute rule to serve');

  const settings = gatewaySettings(resources, diagnostics);
  for (const r of resources.all) if (!TRANSLATED_KINDS.has(r.kind)) diagnostics.note(r, 'ignored');
  return { routes, ...settings, warnings: diagnostics.warnings, ignored: diagnostics.notes };
}
