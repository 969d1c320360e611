/**
 * What Switchyard honours of the Envoy Gateway resources around the routes:
 * - `Gateway`: the first listener's port becomes the API port (as `aigw run` does);
 * - `ClientTrafficPolicy`: `spec.connection.bufferLimit` becomes the request body limit.
 * Command-line flags given explicitly win over both.
 */
import { parseSize } from '../units.js';
import { type Diagnostics, Fields, type ResourceSet } from './resources.js';

export interface GatewaySettings {
  readonly listenPort?: number;
  readonly maxBodyBytes?: number;
}

export function gatewaySettings(resources: ResourceSet, diagnostics: Diagnostics): GatewaySettings {
  let listenPort: number | undefined;
  let maxBodyBytes: number | undefined;

  const gateways = resources.ofKind('Gateway');
  if (gateways.length > 1) {
    throw diagnostics.error(gateways[1]!, [], 'only one Gateway is supported (as in aigw run)');
  }
  const gateway = gateways[0];
  if (gateway) {
    const f = new Fields(gateway, diagnostics);
    const listeners = f.list(['spec', 'listeners']);
    if (listeners.length === 0) f.warn(['spec', 'listeners'], 'no listeners; the API port comes from --port');
    else {
      listenPort = f.integer(['spec', 'listeners', 0, 'port'], 1, 65535);
      const protocol = f.string(['spec', 'listeners', 0, 'protocol']);
      if (protocol !== undefined && protocol !== 'HTTP') {
        f.warn(
          ['spec', 'listeners', 0, 'protocol'],
          `protocol ${protocol} is not supported; the API serves plain HTTP`,
        );
      }
      if (listeners.length > 1)
        f.warn(['spec', 'listeners'], 'only the first listener is used (as in aigw run)');
    }
  }

  for (const policy of resources.ofKind('ClientTrafficPolicy')) {
    const f = new Fields(policy, diagnostics);
    const text = f.get(['spec', 'connection', 'bufferLimit']);
    if (text === undefined) continue;
    const bytes = typeof text === 'number' ? text : typeof text === 'string' ? parseSize(text) : undefined;
    if (bytes === undefined || bytes <= 0 || !Number.isInteger(bytes)) {
      throw f.fail(
        ['spec', 'connection', 'bufferLimit'],
        `${JSON.stringify(text)} is not a size like 50Mi or 10MB`,
      );
    }
    if (maxBodyBytes !== undefined) {
      f.warn(
        ['spec', 'connection', 'bufferLimit'],
        'a body limit was already set by another ClientTrafficPolicy; ignored',
      );
      continue;
    }
    maxBodyBytes = bytes;
  }
  return {
    ...(listenPort !== undefined ? { listenPort } : {}),
    ...(maxBodyBytes !== undefined ? { maxBodyBytes } : {}),
  };
}
