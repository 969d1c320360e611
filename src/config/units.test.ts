import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDuration, parseSize } from './units.js';

describe('units', () => {
  it('parses Go-style durations to milliseconds', () => {
    const cases: [string, number | undefined][] = [
      ['500ms', 500],
      ['30s', 30_000],
      ['3m', 180_000],
      ['1h', 3_600_000],
      ['1m30s', 90_000],
      ['0.5s', 500],
      ['0s', 0],
      ['', undefined],
      ['10', undefined],
      ['5 minutes', undefined],
      ['-1s', undefined],
    ];
    for (const [text, ms] of cases) assert.equal(parseDuration(text), ms, text);
  });

  it('parses byte sizes, binary and decimal', () => {
    const cases: [string, number | undefined][] = [
      ['1048576', 1_048_576],
      ['50Mi', 50 * 1024 * 1024],
      ['10MB', 10_000_000],
      ['512KiB', 512 * 1024],
      ['1Gi', 1024 ** 3],
      ['lots', undefined],
      ['-5', undefined],
    ];
    for (const [text, bytes] of cases) assert.equal(parseSize(text), bytes, text);
  });
});
