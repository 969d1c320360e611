import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Route } from '../config/model.js';
import { Resolver } from './resolver.js';

function route(name: string, matches: Route['matches'], listed: string[] = []): Route {
  return {
    name,
    matches,
    backends: [],
    listedModels: listed.map((id) => ({ id, ownedBy: name, created: 1 })),
  };
}

describe('Resolver.listModels with upstream lists', () => {
  const exact = route('exact', [{ kind: 'exact', name: 'local-model' }], ['local-model']);
  const gpt = route('gpt', [{ kind: 'regex', pattern: /^(?:gpt-.*)$/u }]);
  const all = route('all', [{ kind: 'regex', pattern: /^(?:.*)$/su }]);
  const resolver = new Resolver([exact, gpt, all]);

  it('lists configured models, then upstream ones that would be routed to the route that reported them', () => {
    const upstream = new Map([
      [
        gpt,
        [
          { id: 'gpt-4o', ownedBy: 'openai', created: 5 },
          { id: 'llama', ownedBy: 'openai', created: 5 },
        ],
      ],
      [
        all,
        [
          { id: 'local-model', ownedBy: 'x', created: 9 },
          { id: 'llama', ownedBy: 'ollama', created: 7 },
        ],
      ],
    ]);
    assert.deepEqual(resolver.listModels(upstream), [
      { id: 'local-model', ownedBy: 'exact', created: 1 },
      { id: 'gpt-4o', ownedBy: 'openai', created: 5 },
      { id: 'llama', ownedBy: 'ollama', created: 7 },
    ]);
  });

  it('without upstream lists, lists the configured models only', () => {
    assert.deepEqual(resolver.listModels(), [{ id: 'local-model', ownedBy: 'exact', created: 1 }]);
  });
});
