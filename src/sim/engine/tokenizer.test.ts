import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderChat } from './chat-template.js';
import { countTokens, encode, SPECIAL_TOKENS, tokenId, tokenize } from './tokenizer.js';

describe('tokenizer', () => {
  it('splits text by the documented rules', () => {
    const cases: [string, string[]][] = [
      ['Hello world', ['Hello', ' world']],
      ['internationalization', ['intern', 'ationa', 'lizati', 'on']],
      [' year 2024!', [' year', ' 2', '0', '2', '4', '!']],
      ['a  b', ['a', ' ', ' b']],
      ['end.\n\nNext', ['end', '.', '\n\n', 'Next']],
      ['x ...', ['x', ' .', '.', '.']],
      ['Hi!<|im_end|>', ['Hi', '!', '<|im_end|>']],
      ['<|im_start|>user\nhi<|im_end|>', ['<|im_start|>', 'user', '\n', 'hi', '<|im_end|>']],
      ['        ', ['    ', '    ']],
      ['a \n  b', ['a', ' \n', ' ', ' b']],
      ['', []],
    ];
    for (const [text, pieces] of cases) assert.deepEqual(tokenize(text), pieces, JSON.stringify(text));
  });

  it('loses nothing: the pieces join back into the text', () => {
    const text = 'Ünïcödé wörds, numbers 3.14159, émojis 🚀🚀 and\ttabs\r\n  indented <|im_end|> <|custom|>';
    assert.equal(tokenize(text).join(''), text);
  });

  it('gives stable ids: bytes, specials, and hashed pieces', () => {
    assert.equal(tokenId('a'), 97);
    assert.equal(tokenId('<|im_start|>'), SPECIAL_TOKENS['<|im_start|>']);
    assert.deepEqual(encode('Hello world'), encode('Hello world'));
    const id = tokenId(' world');
    assert.ok(id >= 256 && id < 151_643, String(id));
    assert.notEqual(tokenId(' world'), tokenId(' World'));
  });

  it('counts about four to five characters per token on English prose', () => {
    const prose =
      'The gateway reads the request once, picks an endpoint with the configured algorithm, ' +
      'and streams the answer back to the client as the model server produces it.';
    const ratio = prose.length / countTokens(prose);
    assert.ok(ratio > 3.5 && ratio < 6, `chars per token ${ratio}`);
  });

  it('renders chat messages so conversations with a shared start share a token prefix', () => {
    const system = { role: 'system', content: 'You are a terse assistant.' };
    const a = encode(renderChat([system, { role: 'user', content: 'First question' }]));
    const b = encode(renderChat([system, { role: 'user', content: 'Another one' }]));
    let shared = 0;
    while (a[shared] === b[shared]) shared++;
    assert.ok(shared >= 10, `shared prefix ${shared}`);
    assert.equal(a[0], SPECIAL_TOKENS['<|im_start|>']);
    assert.deepEqual(tokenize(renderChat([{ role: 'user', content: 'x' }])).slice(-4), [
      '<|im_start|>',
      'assist',
      'ant',
      '\n',
    ]);
  });
});
