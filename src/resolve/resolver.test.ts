import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Backend, BackendRef, Route } from '../config/model.js';
import { backendOrder, Resolver } from './resolver.js';

function backend(name: string): Backend {
  return { name, provider: { schema: 'openai', pathPrefix: '/v1' }, endpoints: [], headers: {} };
}

function route(name: string, matches: Route['matches'], backends: BackendRef[] = []): Route {
  return { name, matches, backends, listedModels: [] };
}

describe('Resolver', () => {
  it('evaluates routes in order, exact and full-match regex', () => {
    const resolver = new Resolver([
      route('exact', [{ kind: 'exact', name: 'gpt-4o' }]),
      route('llama', [{ kind: 'regex', pattern: /llama-.*/ }]),
      route('shadowed', [{ kind: 'exact', name: 'llama-3' }]),
      route('catch-all', [{ kind: 'regex', pattern: /.*/ }]),
    ]);
    assert.equal(resolver.resolve('gpt-4o')?.name, 'exact');
    assert.equal(resolver.resolve('llama-3')?.name, 'llama', 'a regex rule before an exact one wins');
    assert.equal(resolver.resolve('my-llama-3')?.name, 'catch-all', 'regex must match the whole name');
    assert.equal(new Resolver([route('x', [{ kind: 'exact', name: 'a' }])]).resolve('b'), undefined);
  });

  it('lists each model once, first listing wins', () => {
    const a = { ...route('a', []), listedModels: [{ id: 'm', ownedBy: 'first', created: 1 }] };
    const b = {
      ...route('b', []),
      listedModels: [
        { id: 'm', ownedBy: 'second', created: 2 },
        { id: 'n', ownedBy: 'x', created: 3 },
      ],
    };
    assert.deepEqual(
      new Resolver([a, b]).listModels().map((m) => [m.id, m.ownedBy]),
      [
        ['m', 'first'],
        ['n', 'x'],
      ],
    );
  });
});

describe('backendOrder', () => {
  const refs: BackendRef[] = [
    { backend: backend('fallback'), weight: 1, priority: 1 },
    { backend: backend('heavy'), weight: 3, priority: 0 },
    { backend: backend('light'), weight: 1, priority: 0 },
  ];
  const r = route('r', [], refs);

  it('puts lower priorities first and draws the first backend by weight', () => {
    assert.deepEqual(
      backendOrder(r, () => 0).map((x) => x.backend.name),
      ['heavy', 'light', 'fallback'],
    );
    assert.deepEqual(
      backendOrder(r, () => 0.8).map((x) => x.backend.name),
      ['light', 'heavy', 'fallback'],
    );
  });

  it('splits traffic in proportion to weight', () => {
    let seed = 1;
    const lcg = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    let heavy = 0;
    for (let i = 0; i < 4000; i++) if (backendOrder(r, lcg)[0]!.backend.name === 'heavy') heavy++;
    assert.ok(Math.abs(heavy / 4000 - 0.75) < 0.03, `heavy share ${heavy / 4000}`);
  });

  it('never draws a zero-weight backend while others have weight', () => {
    const zero = route(
      'z',
      [],
      [
        { backend: backend('off'), weight: 0, priority: 0 },
        { backend: backend('on'), weight: 1, priority: 0 },
      ],
    );
    for (const x of [0, 0.3, 0.99]) assert.equal(backendOrder(zero, () => x)[0]!.backend.name, 'on');
  });
});

function listedRoute(name: string, matches: Route['matches'], listed: string[] = []): Route {
  return {
    name,
    matches,
    backends: [],
    listedModels: listed.map((id) => ({ id, ownedBy: name, created: 1 })),
  };
}

describe('Resolver.listModels with upstream lists', () => {
  const exact = listedRoute('exact', [{ kind: 'exact', name: 'local-model' }], ['local-model']);
  const gpt = listedRoute('gpt', [{ kind: 'regex', pattern: /^(?:gpt-.*)$/u }]);
  const all = listedRoute('all', [{ kind: 'regex', pattern: /^(?:.*)$/su }]);
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
