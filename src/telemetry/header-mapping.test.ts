import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RESERVED_LABELS } from './genai-metrics.js';
import { headerMappingsFrom, mappedValues, parseHeaderMapping } from './header-mapping.js';

const V = 'OTEL_AIGW_SPAN_REQUEST_HEADER_ATTRIBUTES';

describe('parseHeaderMapping', () => {
  const good: [string, { header: string; attribute: string }[]][] = [
    ['', []],
    ['x-user-id:user.id', [{ header: 'x-user-id', attribute: 'user.id' }]],
    [
      ' X-Team-Id : team.id , agent-session-id:session.id,',
      [
        { header: 'x-team-id', attribute: 'team.id' },
        { header: 'agent-session-id', attribute: 'session.id' },
      ],
    ],
  ];
  for (const [text, expected] of good) {
    it(`parses ${JSON.stringify(text)}`, () => assert.deepEqual(parseHeaderMapping(text, V), expected));
  }

  const bad: [string, string][] = [
    ['x-user-id', `${V}: "x-user-id" is not header:attribute`],
    ['x user:user.id', `${V}: "x user" is not a header name`],
    [
      'x-user:1user',
      `${V}: attribute "1user" must start with a letter or _ and use only letters, digits, _ and .`,
    ],
    ['x-a:a,x-a:b', `${V}: header "x-a" is mapped twice`],
    [
      'authorization:user.token',
      `${V}: header "authorization" carries credentials and can never be mapped to an attribute`,
    ],
    [
      'Proxy-Authorization:p',
      `${V}: header "proxy-authorization" carries credentials and can never be mapped to an attribute`,
    ],
    ['api-key:k', `${V}: header "api-key" carries credentials and can never be mapped to an attribute`],
    ['x-api-key:k', `${V}: header "x-api-key" carries credentials and can never be mapped to an attribute`],
    [
      'x-goog-api-key:k',
      `${V}: header "x-goog-api-key" carries credentials and can never be mapped to an attribute`,
    ],
    [
      'x-my-apikey:k',
      `${V}: header "x-my-apikey" carries credentials and can never be mapped to an attribute`,
    ],
    ['cookie:c', `${V}: header "cookie" carries credentials and can never be mapped to an attribute`],
  ];
  for (const [text, message] of bad) {
    it(`rejects ${JSON.stringify(text)}`, () =>
      assert.throws(() => parseHeaderMapping(text, V), { message }));
  }
});

describe('headerMappingsFrom', () => {
  it('maps agent-session-id to session.id on spans by default, and nothing on metrics', () => {
    assert.deepEqual(headerMappingsFrom({}, RESERVED_LABELS), {
      spans: [{ header: 'agent-session-id', attribute: 'session.id' }],
      metrics: [],
    });
  });

  it('disables the span default when the variable is empty', () => {
    assert.deepEqual(headerMappingsFrom({ [V]: '' }, RESERVED_LABELS).spans, []);
  });

  it('adds the shared mapping to both, the specific one winning for the same header', () => {
    const env = {
      OTEL_AIGW_REQUEST_HEADER_ATTRIBUTES: 'x-tenant:tenant.id,x-user:user.id',
      OTEL_AIGW_METRICS_REQUEST_HEADER_ATTRIBUTES: 'x-user:user.name',
    };
    assert.deepEqual(headerMappingsFrom(env, RESERVED_LABELS), {
      spans: [
        { header: 'x-tenant', attribute: 'tenant.id' },
        { header: 'x-user', attribute: 'user.id' },
        { header: 'agent-session-id', attribute: 'session.id' },
      ],
      metrics: [
        { header: 'x-tenant', attribute: 'tenant_id' },
        { header: 'x-user', attribute: 'user_name' },
      ],
    });
  });

  it('rejects metric labels that clash with the built-in ones, each other or Prometheus reserved names', () => {
    const M = 'OTEL_AIGW_METRICS_REQUEST_HEADER_ATTRIBUTES';
    assert.throws(() => headerMappingsFrom({ [M]: 'x-op:gen_ai.operation.name' }, RESERVED_LABELS), {
      message: `${M}: header "x-op" maps to label "gen_ai_operation_name", which the gateway's own metrics use`,
    });
    assert.throws(() => headerMappingsFrom({ [M]: 'x-a:team.id,x-b:team_id' }, RESERVED_LABELS), {
      message: `${M}: two headers map to the label "team_id"`,
    });
    assert.throws(() => headerMappingsFrom({ [M]: 'x-a:__name' }, RESERVED_LABELS), {
      message: `${M}: label "__name" may not start with __ (reserved by Prometheus)`,
    });
  });

  it('reads mapped values from a request, joining repeated headers', () => {
    const mapping = [
      { header: 'x-user', attribute: 'user.id' },
      { header: 'x-tags', attribute: 'tags' },
      { header: 'x-absent', attribute: 'absent' },
    ];
    assert.deepEqual(mappedValues(mapping, { 'x-user': 'u1', 'x-tags': ['a', 'b'] }), {
      'user.id': 'u1',
      tags: 'a,b',
    });
  });
});
