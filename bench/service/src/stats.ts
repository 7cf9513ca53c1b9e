/** Median, smallest and largest of some figures. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

/** The {@link Spread} of `values` (NaN throughout when there are none). */
export function spread(values: readonly number[]): Spread {
  if (values.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

/** `1.23 [1.10–1.35]`, or just the value when there is one round. */
export function showSpread(s: Spread, digits: number): string {
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(digits) : '–');
  return s.min === s.max ? f(s.median) : `${f(s.median)} [${f(s.min)}–${f(s.max)}]`;
}
