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

/**
 * Whether `s` is blank to Graylog (which then refuses a message whose `host` or `short_message`
 * it is) or to JavaScript's `trim` (which other GELF readers, gelf-tail among them, use: it also
 * takes the no-break spaces and U+FEFF).
 */
export function isGraylogBlank(s: string): boolean {
  // The usual case: a printable ASCII first character is blank to neither.
  const first = s.charCodeAt(0);
  if (first > 0x20 && first < 0x7f) return false;
  let javaBlank = true;
  for (let i = 0; i < s.length; i++) {
    if (!isJavaWhitespace(s.charCodeAt(i))) {
      javaBlank = false;
      break;
    }
  }
  return javaBlank || s.trim() === '';
}
