import { describe, expect, it } from 'vitest';
import { validateGelf } from '../src/index.js';

const ok = { version: '1.1', host: 'h', short_message: 'm' };

describe('validateGelf', () => {
  it('accepts a minimal and a full valid message', () => {
    expect(validateGelf(ok)).toEqual([]);
    expect(
      validateGelf({
        ...ok,
        full_message: 'f',
        timestamp: 1_700_000_000.123,
        level: 0,
        _a: 'x',
        '_b.c-d': 1.5,
        _: 2,
      }),
    ).toEqual([]);
  });

  it('refuses what is not an object', () => {
    for (const v of [null, [], 'x', 3, undefined])
      expect(validateGelf(v)).toEqual([expect.stringMatching(/not a JSON object/)]);
  });

  it('wants version "1.1"', () => {
    expect(validateGelf({ ...ok, version: undefined })).toEqual([
      expect.stringMatching(/version must be "1.1"/),
    ]);
    const { version: _v, ...noVersion } = ok;
    expect(validateGelf(noVersion)).toEqual([expect.stringMatching(/version is missing/)]);
    expect(validateGelf({ ...ok, version: '1.0' })).toEqual([
      expect.stringMatching(/version must be "1.1" \(got string "1.0"\)/),
    ]);
    expect(validateGelf({ ...ok, version: 1.1 })).toHaveLength(1);
  });

  it.each(['host', 'short_message'])('wants %s to be a non-empty string', (key) => {
    expect(validateGelf({ ...ok, [key]: '' })).toEqual([`${key} must not be empty`]);
    expect(validateGelf({ ...ok, [key]: '  ' })).toEqual([`${key} must not be empty`]);
    expect(validateGelf({ ...ok, [key]: 5 })).toEqual([`${key} must be a string (got number 5)`]);
    const rest: Record<string, unknown> = { ...ok };
    delete rest[key];
    expect(validateGelf(rest)).toEqual([`${key} is missing`]);
  });

  it('wants timestamp to be a number of seconds when present', () => {
    expect(validateGelf({ ...ok, timestamp: '1700000000' })).toEqual([
      expect.stringMatching(/timestamp must be a number/),
    ]);
    expect(validateGelf({ ...ok, timestamp: 1_700_000_000_123 })).toEqual([
      expect.stringMatching(/looks like milliseconds/),
    ]);
  });

  it('wants level to be an integer 0–7 when present', () => {
    for (const level of [8, -1, 2.5, '3', null])
      expect(validateGelf({ ...ok, level })).toEqual([
        expect.stringMatching(/level must be an integer 0–7/),
      ]);
    for (const level of [0, 7]) expect(validateGelf({ ...ok, level })).toEqual([]);
  });

  it('wants full_message to be a string', () => {
    expect(validateGelf({ ...ok, full_message: { a: 1 } })).toEqual([
      'full_message must be a string (got an object)',
    ]);
  });

  it('checks additional field names', () => {
    expect(validateGelf({ ...ok, '_a b': 1 })).toEqual([
      expect.stringMatching(/"_a b" does not match/),
    ]);
    expect(validateGelf({ ...ok, _é: 1 })).toEqual([expect.stringMatching(/does not match/)]);
    expect(validateGelf({ ...ok, custom: 'x' })).toEqual([
      expect.stringMatching(/"custom" is not a GELF field and lacks the _ prefix/),
    ]);
  });

  it('forbids _id', () => {
    expect(validateGelf({ ...ok, _id: 'x' })).toEqual([
      'field _id is forbidden (Graylog drops it)',
    ]);
  });

  it('wants additional values to be strings or numbers', () => {
    expect(validateGelf({ ...ok, _o: {}, _a: [1], _b: true, _n: null })).toEqual([
      'field _o must be a string or a number (got an object)',
      'field _a must be a string or a number (got an array)',
      'field _b must be a string or a number (got boolean true)',
      'field _n must be a string or a number (got null)',
    ]);
  });

  it('notes the deprecated facility, line and file', () => {
    expect(validateGelf({ ...ok, facility: 'f', line: 3, file: 'a.js' })).toEqual([
      'facility is deprecated in GELF 1.1 (send _facility instead)',
      'line is deprecated in GELF 1.1 (send _line instead)',
      'file is deprecated in GELF 1.1 (send _file instead)',
    ]);
  });

  it("flags a value over Graylog's 32 766-byte term limit, counting UTF-8 bytes", () => {
    expect(validateGelf({ ...ok, _s: 'a'.repeat(32_766) })).toEqual([]);
    expect(validateGelf({ ...ok, _s: 'a'.repeat(32_767) })).toEqual([
      expect.stringMatching(/_s is 32767 UTF-8 bytes/),
    ]);
    // 11 000 × 3-byte characters: 33 000 bytes although only 11 000 UTF-16 units.
    expect(validateGelf({ ...ok, full_message: '€'.repeat(11_000) })).toEqual([
      expect.stringMatching(/full_message is 33000 UTF-8 bytes/),
    ]);
  });
});
