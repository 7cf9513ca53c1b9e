/** Longest rendering of a value in an error message: an option may hold something large. */
const MAX_SHOWN_CHARS = 80;

/**
 * A value as it would be written in code, for error messages, so its type is visible: strings
 * quoted (`"1420"`), objects and arrays as JSON (`{"host":"h"}`), anything JSON cannot show
 * (functions, symbols, bigints, cycles, `undefined`) through `String`; cut at 80 characters.
 */
export function showValue(value: unknown): string {
  let shown: string | undefined;
  try {
    // JSON.stringify gives undefined for functions, symbols and undefined, throws on bigints and
    // cycles; those fall back to String, which at least names the kind of value.
    shown = typeof value === 'number' ? String(value) : JSON.stringify(value);
  } catch {
    shown = undefined;
  }
  if (shown === undefined) {
    try {
      if (typeof value === 'function')
        shown = value.name === '' ? '[function]' : `[function ${value.name}]`;
      else if (typeof value === 'bigint') shown = `${value}n`;
      else shown = String(value);
    } catch {
      shown = Object.prototype.toString.call(value);
    }
  }
  return shown.length > MAX_SHOWN_CHARS ? `${shown.slice(0, MAX_SHOWN_CHARS - 1)}…` : shown;
}
