/**
 * Java's `Character.isWhitespace`, what Graylog's `StringUtils.isBlank` skips: besides the usual
 * white space the separators U+001C–U+001F, and not the no-break spaces (U+00A0, U+2007, U+202F)
 * that JavaScript's `trim` removes.
 */
function isJavaWhitespace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f);
  return (
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a && c !== 0x2007) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x205f ||
    c === 0x3000
  );
}

/** Whether Graylog treats `s` as blank (and so refuses a message whose `host` or `short_message` it is). */
export function isGraylogBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!isJavaWhitespace(s.charCodeAt(i))) return false;
  return true;
}
