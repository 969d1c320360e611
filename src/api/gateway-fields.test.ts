import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withoutGatewayFields } from './gateway-fields.js';
import { parseInferenceRequest } from './inference-request.js';

describe('withoutGatewayFields', () => {
  it('returns a request without kv_transfer_params as it is', () => {
    const request = parseInferenceRequest('chat', Buffer.from('{"model":"m","messages":[{"role":"user"}]}'));
    assert.equal(withoutGatewayFields(request), request);
  });

  it('removes kv_transfer_params from the parsed body, its text and the bytes sent upstream', () => {
    const raw =
      '{"model":"m","messages":[{"role":"user"}],"kv_transfer_params":{"remote_host":"10.0.0.9"},"x":1}';
    const request = withoutGatewayFields(parseInferenceRequest('chat', Buffer.from(raw)));
    assert.deepEqual(request.body, { model: 'm', messages: [{ role: 'user' }], x: 1 });
    assert.deepEqual(JSON.parse(request.raw.toString()), request.body);
    assert.equal(request.text, request.raw.toString(), 'the text a span records is the body sent');
  });
});
