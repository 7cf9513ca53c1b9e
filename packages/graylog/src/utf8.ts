/** What a cut string ends with, so a reader sees it was cut (3 UTF-8 bytes). */
const TRUNCATION_MARK = '…';
const MARK_BYTES = 3;

/**
 * UTF-8 byte length of `s`, skipping the count when the string cannot be longer than `limit`
 * (a UTF-16 code unit never takes more than 3 UTF-8 bytes).
 */
function fitsUtf8(s: string, limit: number): boolean {
  if (s.length * 3 <= limit) return true;
  if (s.length > limit) return false;
  return Buffer.byteLength(s, 'utf8') <= limit;
}

/**
 * Cuts `s` to at most `maxBytes` UTF-8 bytes, never inside a multi-byte character, ending with
 * {@link TRUNCATION_MARK} when it was cut (the mark counts towards `maxBytes`). Returns `s`
 * unchanged when it fits.
 */
export function truncateUtf8(s: string, maxBytes: number): string {
  if (fitsUtf8(s, maxBytes)) return s;
  if (maxBytes < MARK_BYTES) return cutUtf8(s, maxBytes);
  return cutUtf8(s, maxBytes - MARK_BYTES) + TRUNCATION_MARK;
}

function cutUtf8(s: string, maxBytes: number): string {
  const buf = Buffer.from(s, 'utf8');
  if (buf.length <= maxBytes) return s;
  let end = Math.max(0, maxBytes);
  // buf[end] is the first byte left out: while it continues a character, that character
  // started before `end`, so leave all of it out.
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--;
  return buf.toString('utf8', 0, end);
}
