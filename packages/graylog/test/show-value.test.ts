import { describe, expect, it } from 'vitest';
import { showValue } from '../src/show-value.js';

describe('showValue', () => {
  it.each([
    ['1420', '"1420"'],
    [1420, '1420'],
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, 'Infinity'],
    [true, 'true'],
    [null, 'null'],
    [undefined, 'undefined'],
    [{ host: 'h' }, '{"host":"h"}'],
    [['a', 1], '["a",1]'],
    [10n, '10n'],
    [Symbol('s'), 'Symbol(s)'],
  ])('shows %s so that its type is visible: %s', (value, shown) => {
    expect(showValue(value)).toBe(shown);
  });

  it('names functions instead of printing their source', () => {
    expect(showValue(function check() {})).toBe('[function check]');
    expect(showValue(Object.defineProperty(() => 1, 'name', { value: '' }))).toBe('[function]');
  });

  it('falls back to String for values JSON cannot show', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(showValue(cyclic)).toBe('[object Object]');
  });

  it('cuts long values at 80 characters', () => {
    const shown = showValue('x'.repeat(500));
    expect(shown).toHaveLength(80);
    expect(shown).toBe(`"${'x'.repeat(78)}…`);
  });
});
