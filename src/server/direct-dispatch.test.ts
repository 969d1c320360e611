import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, it } from 'node:test';
import { directDispatch } from './direct-dispatch.js';

function request(method: string, url: string): IncomingMessage {
  return { method, url } as IncomingMessage;
}
const res = {} as ServerResponse;

describe('directDispatch', () => {
  const seen: string[] = [];
  const dispatch = directDispatch(
    [
      { method: 'POST', path: '/v1/chat/completions', handler: () => seen.push('chat') },
      { method: 'GET', path: '/v1/models', handler: () => seen.push('models') },
      {
        method: 'POST',
        path: '/boom',
        handler: () => {
          throw new Error('boom');
        },
      },
    ],
    (req) => seen.push(`fallback ${req.method} ${req.url}`),
    (err) => seen.push(`error ${(err as Error).message}`),
  );

  it('sends exact method and path straight to the handler, everything else to the fallback', () => {
    seen.length = 0;
    for (const [method, url] of [
      ['POST', '/v1/chat/completions'],
      ['GET', '/v1/models'],
      ['GET', '/v1/chat/completions'],
      ['HEAD', '/v1/models'],
      ['POST', '/v1/chat/completions?x=1'],
      ['POST', '/v1/chat/completions/'],
      ['POST', '/V1/chat/completions'],
      ['POST', '/v1/unknown'],
    ] as const) {
      dispatch(request(method, url), res);
    }
    assert.deepEqual(seen, [
      'chat',
      'models',
      'fallback GET /v1/chat/completions',
      'fallback HEAD /v1/models',
      'fallback POST /v1/chat/completions?x=1',
      'fallback POST /v1/chat/completions/',
      'fallback POST /V1/chat/completions',
      'fallback POST /v1/unknown',
    ]);
  });

  it('answers a handler that throws through onError', () => {
    seen.length = 0;
    dispatch(request('POST', '/boom'), res);
    assert.deepEqual(seen, ['error boom']);
  });
});
