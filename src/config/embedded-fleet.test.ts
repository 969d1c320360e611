import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fleetRoutes } from './embedded-fleet.js';
import { translateEndpoints } from './endpoints-file.js';
import { YamlSource } from './yaml-source.js';

describe('embedded fleet routes', () => {
  it('are the routes of the equivalent AIBrix endpoints file', () => {
    const yaml = `
models:
  - name: "Qwen/Qwen3-8B"
    engine: vllm
    endpoints: ["127.0.0.1:41001", "127.0.0.1:41002", "127.0.0.1:41003"]
  - name: "Qwen/Qwen3-32B"
    engine: vllm
    rolesets:
      - name: default
        prefill: ["127.0.0.1:41004"]
        decode: ["127.0.0.1:41005"]
`;
    const fromFile = translateEndpoints(YamlSource.parse('endpoints.yaml', yaml));
    const local = (port: number) => ({ host: '127.0.0.1', port });
    const fromFleet = fleetRoutes([
      { name: 'Qwen/Qwen3-8B', endpoints: [local(41001), local(41002), local(41003)] },
      {
        name: 'Qwen/Qwen3-32B',
        rolesets: [{ name: 'default', prefill: [local(41004)], decode: [local(41005)] }],
      },
    ]);
    assert.deepEqual(fromFleet, fromFile);
  });
});
