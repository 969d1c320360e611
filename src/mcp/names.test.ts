import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isValidServerName, namespaceUri, prefixName, splitName, splitUri } from './names.js';

const servers = new Set(['github', 'a', 'my-srv.v2', '_x']);

describe('tool and prompt names', () => {
  const cases: [server: string, name: string][] = [
    ['github', 'search_issues'],
    ['a', '_leading_underscore'],
    ['a', 'has__double__underscores'],
    ['my-srv.v2', 'x'],
    ['_x', 'tool'],
  ];
  for (const [server, name] of cases) {
    it(`round-trips ${server} + ${name}`, () => {
      assert.deepEqual(splitName(prefixName(server, name), servers), { server, name });
    });
  }

  it('splits nothing that names no configured server, or no tool', () => {
    for (const prefixed of ['search_issues', 'gitlab__search', '__search', 'github__', 'github_search']) {
      assert.equal(splitName(prefixed, servers), undefined, prefixed);
    }
  });
});

describe('resource URIs', () => {
  const cases: [server: string, uri: string, namespaced: string][] = [
    ['github', 'repo://owner/name/README.md', 'github+repo://owner/name/README.md'],
    ['a', 'file:///etc/hosts', 'a+file:///etc/hosts'],
    ['a', 'note://by-title/{title}', 'a+note://by-title/{title}'],
    ['github', 'ui://widget/panel.html', 'ui://github/widget/panel.html'],
  ];
  for (const [server, uri, namespaced] of cases) {
    it(`writes ${uri} from ${server} as ${namespaced} and reads it back`, () => {
      assert.equal(namespaceUri(server, uri), namespaced);
      assert.deepEqual(splitUri(namespaced, servers), { server, uri });
    });
  }

  it('splits nothing that names no configured server', () => {
    for (const uri of [
      'file:///etc/hosts',
      'gitlab+file:///x',
      '+file:///x',
      'a+',
      'ui://nobody/x',
      'ui://github',
    ]) {
      assert.equal(splitUri(uri, servers), undefined, uri);
    }
  });
});

describe('server names', () => {
  it('accepts names that split back unambiguously and refuses the rest', () => {
    for (const ok of ['github', 'my-server', 'srv.v2', 'a_b', '_private', 'X9'])
      assert.ok(isValidServerName(ok), ok);
    for (const bad of ['', 'a__b', 'trailing_', 'with space', 'plus+sign', 'slash/x', 'é', 'x'.repeat(65)]) {
      assert.ok(!isValidServerName(bad), bad);
    }
  });
});
