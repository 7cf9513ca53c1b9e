import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteWriter } from '../src/byte-writer.js';

function text(write: (w: ByteWriter) => void, size = 4): string {
  const w = new ByteWriter(size);
  write(w);
  return w.copy().toString('utf8');
}

describe('ByteWriter', () => {
  it('writes numbers exactly as String() does', () => {
    fc.assert(
      fc.property(fc.oneof(fc.nat(), fc.maxSafeNat(), fc.integer(), fc.double()), (n) => {
        expect(text((w) => w.number(n))).toBe(String(n));
      }),
    );
    for (const n of [0, -0, 9, 10, 2 ** 31 - 1, 2 ** 31, 2 ** 53 - 1]) {
      expect(text((w) => w.number(n))).toBe(String(n));
    }
  });

  it('writes thousandths without trailing zeros', () => {
    for (let f = 1; f < 1000; f++) {
      expect(text((w) => w.fraction(f))).toBe(`.${String(f).padStart(3, '0').replace(/0+$/, '')}`);
    }
  });

  it('copies plain ASCII strings and refuses anything that needs escaping or cutting', () => {
    const w = new ByteWriter(2);
    expect(w.plainString('GET /a', 100)).toBe(true);
    for (const s of ['a"b', 'a\\b', 'a\nb', 'é', '😀']) expect(w.plainString(s, 100)).toBe(false);
    expect(w.plainString('abcdef', 5)).toBe(false);
    expect(w.hexString('00ff')).toBe(true);
    expect(w.hexString('00FF')).toBe(false);
    expect(w.copy().toString()).toBe('"GET /a""00ff"');
  });

  it('grows past its initial size and lets a huge buffer go on reset', () => {
    const w = new ByteWriter(8);
    const long = 'x'.repeat(100_000);
    w.ascii(long);
    w.utf8('é€😀');
    expect(w.copy().toString()).toBe(`${long}é€😀`);
    w.reset(1024);
    expect(w.pos).toBe(0);
    expect(w.buf.length).toBe(8);
  });
});
