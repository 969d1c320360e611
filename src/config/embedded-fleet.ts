/**
 * The embedded simulated fleet -> routes. `switchyard run` starts the fleet when nothing
 * else is configured and hands its addresses here; the result is exactly the `Route[]` an
 * AIBrix endpoints file listing the same engines (with `engine: vllm`) would give, so
 * nothing after `config/` can tell the difference.
 */
import { formatAddress } from './address.js';
import type { Backend, EndpointRole, EndpointSpec, Route } from './model.js';

export interface FleetAddress {
  readonly host: string;
  readonly port: number;
}

/** One served model of the fleet: plain replicas, or prefill/decode rolesets. */
export interface FleetModel {
  readonly name: string;
  readonly endpoints?: readonly FleetAddress[];
  readonly rolesets?: readonly {
    readonly name: string;
    readonly prefill: readonly FleetAddress[];
    readonly decode: readonly FleetAddress[];
  }[];
}

export function fleetRoutes(models: readonly FleetModel[]): Route[] {
  return models.map((model) => {
    const endpoints: EndpointSpec[] = [
      ...(model.endpoints ?? []).map((a) => endpoint(a, 'both')),
      ...(model.rolesets ?? []).flatMap((set) => [
        ...set.prefill.map((a) => endpoint(a, 'prefill', set.name)),
        ...set.decode.map((a) => endpoint(a, 'decode', set.name)),
      ]),
    ];
    const backend: Backend = {
      name: model.name,
      provider: { schema: 'openai', pathPrefix: '/v1' },
      endpoints,
      headers: {},
      engine: 'vllm',
    };
    return {
      name: model.name,
      matches: [{ kind: 'exact', name: model.name }],
      backends: [{ backend, weight: 1, priority: 0 }],
      listedModels: [{ id: model.name, ownedBy: 'vllm', created: 0 }],
    };
  });
}

function endpoint(address: FleetAddress, role: EndpointRole, roleset?: string): EndpointSpec {
  return {
    id: formatAddress(address.host, address.port),
    host: address.host,
    port: address.port,
    tls: false,
    role,
    ...(roleset !== undefined ? { roleset } : {}),
  };
}
