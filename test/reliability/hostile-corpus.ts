/**
 * The hostile-input corpus: fixed cases (malformed JSON, wrong types, huge and deeply
 * nested bodies, invalid UTF-8, raw HTTP with injected or smuggled headers) and seeded
 * random mutations of valid requests, at the JSON level and at the byte level. The same
 * seed always gives the same corpus, so a failure can be replayed.
 */

export interface BodyCase {
  readonly name: string;
  readonly path: string;
  readonly body: Buffer;
  readonly headers?: Record<string, string>;
}

export const MODEL = 'Qwen/Qwen3-8B';

/** mulberry32: small, fast, seeded. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CHAT = '/v1/chat/completions';
const COMPLETIONS = '/v1/completions';
const EMBEDDINGS = '/v1/embeddings';

/** Valid requests the mutations start from. */
export const VALID: readonly { path: string; body: Record<string, unknown> }[] = [
  { path: CHAT, body: { model: MODEL, max_tokens: 8, messages: [{ role: 'user', content: 'Hello there' }] } },
  {
    path: CHAT,
    body: {
      model: MODEL,
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 6,
      temperature: 0.2,
      messages: [
        { role: 'system', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Describe' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
          ],
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }],
        },
        { role: 'tool', tool_call_id: 'c1', content: 'result' },
      ],
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: {} } } }],
    },
  },
  { path: COMPLETIONS, body: { model: MODEL, prompt: 'Once upon a time', max_tokens: 5 } },
  { path: COMPLETIONS, body: { model: MODEL, prompt: [1, 2, 3, 4], max_tokens: 3, stream: true } },
  { path: EMBEDDINGS, body: { model: MODEL, input: ['first text', 'second text'] } },
  { path: EMBEDDINGS, body: { model: MODEL, input: [[5, 6, 7]], encoding_format: 'base64', dimensions: 8 } },
];

const WEIRD_VALUES: readonly unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  -0.000001,
  1e308,
  -1e308,
  2 ** 53 + 1,
  4294967297,
  '',
  ' ',
  'x',
  '0',
  'true',
  'null',
  '\u0000',
  '\ud83d\ude00',
  '\u202e',
  'a'.repeat(10_000),
  [],
  [null],
  [[]],
  [1, 'a', null],
  {},
  { '': '' },
  JSON.parse('{"__proto__":{"polluted":true}}'),
  { constructor: { prototype: { polluted: true } } },
  [[[[[[[[1]]]]]]]],
  { role: 'user', content: 'nested' },
  [{ type: 'text' }],
  [{ type: 'image_url', image_url: null }],
  [{ type: 'nope', text: 'x' }],
];

const KEYS = [
  'model',
  'messages',
  'prompt',
  'input',
  'stream',
  'stream_options',
  'max_tokens',
  'max_completion_tokens',
  'n',
  'temperature',
  'top_p',
  'tools',
  'tool_choice',
  'response_format',
  'kv_transfer_params',
  'logprobs',
  'echo',
  'best_of',
  'dimensions',
  'encoding_format',
  'user',
  'constructor',
];

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)]!;
}

/** Every place in a JSON value: paths to objects' keys and arrays' items. */
function paths(
  value: unknown,
  prefix: (string | number)[] = [],
  out: (string | number)[][] = [],
): (string | number)[][] {
  const entries: [string | number, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : value !== null && typeof value === 'object'
      ? Object.entries(value)
      : [];
  for (const [key, child] of entries) {
    out.push([...prefix, key]);
    paths(child, [...prefix, key], out);
  }
  return out;
}

function parentOf(root: unknown, path: readonly (string | number)[]): Record<string | number, unknown> {
  let node = root as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  return node;
}

/** One JSON-level mutation: a value replaced, a key removed or added, an array emptied or grown. */
function mutateJson(random: () => number, body: Record<string, unknown>): string {
  const copy = structuredClone(body) as Record<string, unknown>;
  const steps = 1 + Math.floor(random() * 3);
  for (let s = 0; s < steps; s++) {
    const all = paths(copy);
    const choice = random();
    if (choice < 0.45 && all.length) {
      const path = pick(random, all);
      parentOf(copy, path)[path.at(-1)!] = structuredClone(pick(random, WEIRD_VALUES));
    } else if (choice < 0.6 && all.length) {
      const path = pick(random, all);
      const parent = parentOf(copy, path);
      if (Array.isArray(parent)) parent.splice(Number(path.at(-1)), 1);
      else delete parent[path.at(-1)!];
    } else if (choice < 0.8) {
      copy[pick(random, KEYS)] = structuredClone(pick(random, WEIRD_VALUES));
    } else if (choice < 0.9 && all.length) {
      const path = pick(random, all);
      const parent = parentOf(copy, path);
      const value = parent[path.at(-1)!];
      if (Array.isArray(value))
        for (let i = 0; i < 1 + random() * 200; i++) value.push(structuredClone(value[0] ?? i));
      else if (typeof value === 'string') parent[path.at(-1)!] = value.repeat(1 + Math.floor(random() * 500));
    } else {
      copy['max_tokens'] = pick(random, [0, 1, 2, 100_000, 2 ** 31, -5, 3.7, '8']);
    }
  }
  return JSON.stringify(copy);
}

/** One byte-level mutation: flipped, inserted, deleted or duplicated bytes, or a truncation. */
function mutateBytes(random: () => number, text: string): Buffer {
  const bytes = [...Buffer.from(text)];
  const steps = 1 + Math.floor(random() * 4);
  for (let s = 0; s < steps && bytes.length; s++) {
    const at = Math.floor(random() * bytes.length);
    const choice = random();
    if (choice < 0.3) bytes[at] = Math.floor(random() * 256);
    else if (choice < 0.5)
      bytes.splice(
        at,
        0,
        pick(random, [0x00, 0x22, 0x5c, 0x7b, 0x7d, 0x5b, 0x5d, 0x2c, 0x3a, 0xff, 0xc3, 0xed, 0x80]),
      );
    else if (choice < 0.7) bytes.splice(at, 1 + Math.floor(random() * 8));
    else if (choice < 0.85) bytes.splice(at, 0, ...bytes.slice(at, at + 1 + Math.floor(random() * 16)));
    else bytes.length = at;
  }
  return Buffer.from(bytes);
}

/** `count` seeded mutations of the valid requests, half JSON-level and half byte-level. */
export function* mutations(seed: number, count: number): Generator<BodyCase> {
  const random = seeded(seed);
  for (let i = 0; i < count; i++) {
    const base = pick(random, VALID);
    const json = mutateJson(random, base.body);
    const body = random() < 0.5 ? Buffer.from(json) : mutateBytes(random, JSON.stringify(base.body));
    // Sometimes the body goes to another operation's path.
    const path = random() < 0.1 ? pick(random, [CHAT, COMPLETIONS, EMBEDDINGS]) : base.path;
    yield { name: `mutation ${i}`, path, body };
  }
}

const nested = (depth: number, open: string, close: string, inner = '1') =>
  open.repeat(depth) + inner + close.repeat(depth);

/** The fixed cases: each a body the gateway must refuse (4xx) or serve, never a 5xx. */
export function fixedCases(maxBodyBytes: number): BodyCase[] {
  const chat = (body: string | Buffer, name: string): BodyCase => ({
    name,
    path: CHAT,
    body: Buffer.isBuffer(body) ? body : Buffer.from(body),
  });
  const valid = JSON.stringify(VALID[0]!.body);
  const malformed = [
    '',
    ' ',
    '{',
    '}',
    '[]',
    'null',
    'true',
    '"a string"',
    '12345',
    '{"model":}',
    '{"model":"m",}',
    `${valid} trailing`,
    `${valid}${valid}`,
    '{"model": NaN}',
    '{"model": Infinity}',
    "{'model': 'single quotes'}",
    '{"model": "x" /* comment */}',
    '{"model":"\\ud800","messages":[{"role":"user","content":"\\udfff"}]}',
    '{"model":"x","messages":[{"role":"user","content":"unterminated}]}',
    '{"model":"x","messages":[{"role":"user","content":"tab\there"}]}',
    `{"model":"${MODEL}","max_tokens":1e400,"messages":[{"role":"user","content":"big number"}]}`,
    `{"model":"${MODEL}","model":"other","messages":[{"role":"user","content":"duplicate key"}]}`,
    `\ufeff${valid}`,
    `{"model":"${MODEL}","__proto__":{"model":"polluted"},"messages":[{"role":"user","content":"x"}]}`,
    `{"__proto__":{"model":"${MODEL}"},"messages":[{"role":"user","content":"x"}]}`,
    `{"model":"${MODEL}","messages":{"__proto__":[],"length":1,"0":{"role":"user"}}}`,
  ].map((text, i) => chat(text, `malformed JSON ${i}`));
  const invalidUtf8 = [
    [0xff],
    [0xc3, 0x28],
    [0xe2, 0x82],
    [0xf0, 0x28, 0x8c, 0x28],
    [0xc0, 0xaf],
    [0xed, 0xa0, 0x80],
    [0xf8, 0x88, 0x80, 0x80, 0x80],
  ].map((bad, i) => {
    const [head, tail] = valid.split('Hello') as [string, string];
    return chat(
      Buffer.concat([Buffer.from(head), Buffer.from(bad), Buffer.from(tail)]),
      `invalid UTF-8 ${i}`,
    );
  });
  const wrongTypes: BodyCase[] = [];
  for (const { path, body } of VALID)
    for (const key of Object.keys(body))
      for (const value of WEIRD_VALUES)
        wrongTypes.push({
          name: `${path} ${key}=${JSON.stringify(value)?.slice(0, 30)}`,
          path,
          body: Buffer.from(JSON.stringify({ ...body, [key]: value })),
        });
  const huge: BodyCase[] = [
    chat(
      `{"model":"${MODEL}","messages":[{"role":"user","content":"${'a'.repeat(maxBodyBytes)}"}]}`,
      'over the body limit',
    ),
    chat(
      `{"model":"${MODEL}","max_tokens":1,"messages":[{"role":"user","content":"${'word '.repeat(Math.floor(maxBodyBytes / 12))}"}]}`,
      'a long prompt under the limit',
    ),
    chat(
      JSON.stringify({
        model: MODEL,
        max_tokens: 1,
        messages: Array.from({ length: 20_000 }, () => ({ role: 'user', content: 'x' })),
      }),
      '20,000 messages',
    ),
    chat(
      JSON.stringify({ model: 'm'.repeat(200_000), messages: [{ role: 'user', content: 'x' }] }),
      'a 200 KB model name',
    ),
    chat(
      JSON.stringify({
        model: MODEL,
        messages: [{ role: 'user', content: 'x' }],
        ...Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, i])),
      }),
      '20,000 unknown keys',
    ),
  ];
  const deep: BodyCase[] = [
    chat(`{"model":"${MODEL}","messages":${nested(100_000, '[', ']')}}`, 'arrays nested 100,000 deep'),
    chat(
      `{"model":"${MODEL}","messages":[{"role":"user","content":${nested(100_000, '{"a":', '}')}}]}`,
      'objects nested 100,000 deep',
    ),
    chat(
      `{"model":"${MODEL}","messages":[{"role":"user","content":"x","extra":${nested(5_000, '[', ']')}}]}`,
      'an unknown field nested 5,000 deep',
    ),
    {
      name: 'prompt nested 10,000 deep',
      path: COMPLETIONS,
      body: Buffer.from(`{"model":"${MODEL}","prompt":${nested(10_000, '[', ']')}}`),
    },
    chat(
      `{"model":"${MODEL}","messages":[{"role":"user","content":"x"}],"kv_transfer_params":{},"x":${nested(10_000, '[', ']')}}`,
      'a gateway-only field beside deep nesting',
    ),
    chat(
      `{"model":"${MODEL}","messages":[{"role":"assistant","tool_calls":${nested(10_000, '[', ']')}},{"role":"user","content":"x"}]}`,
      'tool calls nested 10,000 deep',
    ),
    {
      name: 'input nested 3 deep',
      path: EMBEDDINGS,
      body: Buffer.from(`{"model":"${MODEL}","input":[[[1]]]}`),
    },
    chat(
      JSON.stringify({
        model: MODEL,
        max_tokens: 1,
        messages: [
          {
            role: 'user',
            content: [{ type: 'text', text: 'x', extra: JSON.parse(nested(2_000, '[', ']')) }],
          },
        ],
      }),
      'a content part nested 2,000 deep',
    ),
  ];
  const headers: BodyCase[] = [
    { ...chat(valid, 'text/plain content type'), headers: { 'content-type': 'text/plain' } },
    {
      ...chat(valid, 'a form content type'),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    },
    { ...chat(valid, 'gzip content encoding of plain bytes'), headers: { 'content-encoding': 'gzip' } },
    { ...chat(valid, 'an unknown routing strategy'), headers: { 'routing-strategy': '../../etc/passwd' } },
    {
      ...chat(valid, 'a bad weighted combination'),
      headers: { 'routing-strategy': 'least-request:-1,prefix-cache:NaN' },
    },
    { ...chat(valid, 'a weird request id'), headers: { 'x-request-id': 'é\u00ff'.repeat(50) } },
    { ...chat(valid, 'a traceparent of garbage'), headers: { traceparent: '00-zzzz-yyyy-01' } },
    { ...chat(valid, 'expect 100-continue'), headers: { expect: '100-continue' } },
    { ...chat(valid, 'an unknown expectation'), headers: { expect: 'the-unexpected' } },
  ];
  return [...malformed, ...invalidUtf8, ...wrongTypes, ...huge, ...deep, ...headers];
}

/** Raw HTTP requests with broken framing or injected headers: the gateway answers 4xx or closes. */
export function rawCases(): { name: string; text: Buffer }[] {
  const body = JSON.stringify(VALID[0]!.body);
  const head = (extra: string) =>
    `POST ${CHAT} HTTP/1.1\r\nhost: gateway\r\ncontent-type: application/json\r\n${extra}`;
  const cases: [string, string | Buffer][] = [
    [
      'a bare LF inside a header value',
      `${head('x-a: one\ninjected: two\r\n')}content-length: ${body.length}\r\n\r\n${body}`,
    ],
    [
      'a CR inside a header value',
      `${head('x-a: one\rinjected: two\r\n')}content-length: ${body.length}\r\n\r\n${body}`,
    ],
    [
      'a NUL in a header value',
      `${head('x-a: one\u0000two\r\n')}content-length: ${body.length}\r\n\r\n${body}`,
    ],
    [
      'an obsolete folded header',
      `${head('x-a: one\r\n  folded\r\n')}content-length: ${body.length}\r\n\r\n${body}`,
    ],
    ['a space before the colon', `${head('x-a : one\r\n')}content-length: ${body.length}\r\n\r\n${body}`],
    ['a header name with a space', `${head('x a: one\r\n')}content-length: ${body.length}\r\n\r\n${body}`],
    [
      'content-length and transfer-encoding',
      `${head('transfer-encoding: chunked\r\n')}content-length: 4\r\n\r\n0\r\n\r\n`,
    ],
    [
      'two content-lengths',
      `${head(`content-length: ${body.length}\r\n`)}content-length: ${body.length + 1}\r\n\r\n${body} `,
    ],
    ['a negative content-length', `${head('')}content-length: -1\r\n\r\n${body}`],
    ['a content-length that is not a number', `${head('')}content-length: 12abc\r\n\r\n${body}`],
    ['an obfuscated transfer-encoding', `${head('transfer-encoding: xchunked\r\n')}\r\n${body}`],
    [
      'chunked with a bad chunk size',
      `${head('transfer-encoding: chunked\r\n')}\r\nzz\r\n${body}\r\n0\r\n\r\n`,
    ],
    [
      'chunked with a chunk longer than said',
      `${head('transfer-encoding: chunked\r\n')}\r\n2\r\n${body}\r\n0\r\n\r\n`,
    ],
    ['a request line with no version', `POST ${CHAT}\r\n\r\n`],
    ['an HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'],
    ['an unknown method', `BREW ${CHAT} HTTP/1.1\r\nhost: x\r\n\r\n`],
    [
      'a path with a NUL',
      `POST /v1/chat\u0000/completions HTTP/1.1\r\nhost: x\r\ncontent-length: 2\r\n\r\n{}`,
    ],
    ['a very long path', `GET /${'a'.repeat(20_000)} HTTP/1.1\r\nhost: x\r\n\r\n`],
    [
      '5,000 small headers',
      `${head(Array.from({ length: 5_000 }, (_, i) => `x-h${i}: ${i}\r\n`).join(''))}content-length: ${body.length}\r\n\r\n${body}`,
    ],
    ['HTTP/1.1 without a host', `POST ${CHAT} HTTP/1.1\r\ncontent-length: ${body.length}\r\n\r\n${body}`],
    ['a body longer than its content-length', `${head('')}content-length: 5\r\n\r\n${body}`],
  ];
  return cases.map(([name, text]) => ({
    name,
    text: Buffer.isBuffer(text) ? text : Buffer.from(text, 'latin1'),
  }));
}
