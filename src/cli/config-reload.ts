/**
 * Config reload for `switchyard run`: on SIGHUP (and, with `--watch-config`, when a config
 * file changes) the endpoints file, the Envoy AI Gateway config file and the API keys file
 * are read again and the gateway serves the result from then on.
 *
 * A new config is used only when all of it is valid; otherwise the reason is logged and
 * the running config keeps serving. Requests in flight finish on the config they started
 * with. Listen addresses, flags and the environment are fixed at start: changes to a config
 * file's listener port or body limit are reported and wait for a restart.
 */
import { watchFile, unwatchFile, type Stats } from 'node:fs';
import { loadApiKeys } from '../config/api-keys.js';
import { ConfigError } from '../config/config-error.js';
import { loadRoutes } from '../config/load.js';
import type { Gateway } from '../server/gateway.js';
import type { Logger } from '../telemetry/logger.js';

export interface ReloadSources {
  readonly endpointsFile?: string;
  readonly configFile?: string;
  readonly apiKeysFile?: string;
  readonly env: NodeJS.ProcessEnv;
  /** What the config file said at start, to report changes that need a restart. */
  readonly startedWith: { readonly listenPort?: number; readonly maxBodyBytes?: number };
}

export interface ReloadOptions {
  /** Poll the files for changes (`--watch-config`). */
  readonly watch: boolean;
  /** How often a watched file is checked. */
  readonly watchIntervalMs?: number;
}

export interface ConfigReloader {
  /** Reloads now; resolves true when the new config is in force. */
  reload(trigger: string): boolean;
  /** Stops listening for SIGHUP and watching files. */
  stop(): void;
}

export function reloadConfig(
  gateway: Gateway,
  sources: ReloadSources,
  logger: Logger,
  options: ReloadOptions,
): ConfigReloader {
  const files = [sources.endpointsFile, sources.configFile, sources.apiKeysFile].filter(
    (f): f is string => f !== undefined,
  );

  const reload = (trigger: string): boolean => {
    if (files.length === 0) {
      logger.info(
        { trigger },
        'config reload: nothing to reload (no config file, endpoints file or API keys file)',
      );
      return false;
    }
    try {
      const hasRouteFiles = sources.endpointsFile !== undefined || sources.configFile !== undefined;
      const loaded = hasRouteFiles
        ? loadRoutes({
            ...(sources.endpointsFile ? { endpointsFile: sources.endpointsFile } : {}),
            ...(sources.configFile ? { configFile: sources.configFile } : {}),
            env: sources.env,
          })
        : undefined;
      if (hasRouteFiles && !loaded) throw new ConfigError('config', '', 'the new config defines no model');
      const apiKeys = sources.apiKeysFile
        ? loadApiKeys({ file: sources.apiKeysFile, env: sources.env })
        : undefined;
      gateway.reload({
        ...(loaded ? { routes: loaded.routes, source: loaded.source } : {}),
        ...(apiKeys ? { apiKeys } : {}),
      });
      for (const warning of loaded?.warnings ?? []) logger.warn(warning);
      if (loaded && loaded.listenPort !== sources.startedWith.listenPort)
        logger.warn(
          'config reload: the listener port changed in the config file; it takes effect at restart',
        );
      if (loaded && loaded.maxBodyBytes !== sources.startedWith.maxBodyBytes)
        logger.warn('config reload: the body limit changed in the config file; it takes effect at restart');
      logger.info(
        {
          trigger,
          source: gateway.context.config.source,
          models: gateway.context.resolver.listModels().map((m) => m.id),
          ...(apiKeys ? { apiKeys: apiKeys.size } : {}),
        },
        'config reloaded',
      );
      return true;
    } catch (err) {
      const reason = err instanceof ConfigError ? err.message : `unexpected error: ${(err as Error).message}`;
      logger.error({ trigger, reason }, 'config reload rejected; the running config keeps serving');
      return false;
    }
  };

  const onSignal = () => void reload('SIGHUP');
  process.on('SIGHUP', onSignal);

  const watched: { file: string; listener: (curr: Stats, prev: Stats) => void }[] = [];
  let pending: NodeJS.Timeout | undefined;
  if (options.watch) {
    for (const file of files) {
      const listener = (curr: Stats, prev: Stats) => {
        if (curr.mtimeMs === prev.mtimeMs && curr.size === prev.size && curr.ino === prev.ino) return;
        // Editors write in several steps; one reload after the last of them.
        clearTimeout(pending);
        pending = setTimeout(() => void reload(`change of ${file}`), 100);
      };
      watchFile(file, { interval: options.watchIntervalMs ?? 1_000, persistent: false }, listener);
      watched.push({ file, listener });
    }
  }

  return {
    reload,
    stop() {
      process.off('SIGHUP', onSignal);
      clearTimeout(pending);
      for (const { file, listener } of watched) unwatchFile(file, listener);
    },
  };
}
