/**
 * A growable scratch buffer that JSON text is written into as UTF-8 bytes. Writing bytes directly
 * skips what a string built by concatenation costs before it reaches the wire: flattening a rope
 * of a few hundred pieces, then encoding it (together more than the building itself).
 */
export class ByteWriter {
  /** The bytes written so far are `buf[0 .. pos)`. */
  buf: Buffer;
  pos = 0;
  private readonly initialSize: number;

  constructor(initialSize: number) {
    this.initialSize = initialSize;
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  /** Starts a new text; a buffer grown far past its usual size by a huge message is let go. */
  reset(keepLimit: number): void {
    this.pos = 0;
    if (this.buf.length > keepLimit) this.buf = Buffer.allocUnsafe(this.initialSize);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.grow(n);
  }

  private grow(n: number): void {
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** Text known to be ASCII (field names, `String()` of a number): one byte per code unit. */
  ascii(s: string): void {
    const n = s.length;
    this.ensure(n);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) buf[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** Bytes as they are (pre-encoded ASCII fragments). */
  bytes(b: Uint8Array): void {
    const n = b.length;
    this.ensure(n);
    // A native copy pays off beyond a few bytes; below, a loop is cheaper than the call.
    if (n > 12) {
      this.buf.set(b, this.pos);
      this.pos += n;
      return;
    }
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) buf[p++] = b[i]!;
    this.pos = p;
  }

  /** Thousandths `f` (1 to 999) as `.ddd` without trailing zeros (`.5` for 500). */
  fraction(f: number): void {
    this.ensure(4);
    const buf = this.buf;
    let p = this.pos;
    const d1 = (f / 100) | 0;
    const rest = f - d1 * 100;
    const d2 = (rest / 10) | 0;
    const d3 = rest - d2 * 10;
    buf[p++] = 0x2e;
    buf[p++] = 48 + d1;
    if (rest !== 0) {
      buf[p++] = 48 + d2;
      if (d3 !== 0) buf[p++] = 48 + d3;
    }
    this.pos = p;
  }

  /** Any text, UTF-8 encoded. */
  utf8(s: string): void {
    this.ensure(s.length * 3);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  /** One ASCII character by its code. */
  byte(code: number): void {
    this.ensure(1);
    this.buf[this.pos++] = code;
  }

  /** A non-negative integer (`String(n)`); must be an integer in [0, 2^53). */
  uint(n: number): void {
    if (n > 0x7fffffff) {
      this.ascii(`${n}`);
      return;
    }
    let digits = 1;
    for (let t = n; t >= 10; t = (t / 10) | 0) digits++;
    this.ensure(digits);
    const buf = this.buf;
    let p = this.pos + digits;
    this.pos = p;
    let v = n | 0;
    while (v >= 10) {
      const q = (v / 10) | 0;
      buf[--p] = 48 + v - q * 10;
      v = q;
    }
    buf[p - 1] = 48 + v;
  }

  /** A number as `String(n)` writes it, integers without the shortest-double algorithm. */
  number(n: number): void {
    if (n >= 0 && n <= 0x7fffffff && (n | 0) === n) this.uint(n);
    else this.ascii(`${n}`);
  }

  /**
   * `s` as a JSON string literal when that needs no escaping and no cutting: at most `maxLength`
   * code units, all printable ASCII other than `"` and `\`. Returns false, having written nothing,
   * otherwise.
   */
  plainString(s: string, maxLength: number): boolean {
    const n = s.length;
    if (n > maxLength) return false;
    this.ensure(n + 2);
    const buf = this.buf;
    let p = this.pos;
    buf[p++] = 0x22;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c > 0x7f || c === 0x22 || c === 0x5c) return false;
      buf[p++] = c;
    }
    buf[p++] = 0x22;
    this.pos = p;
    return true;
  }

  /**
   * `s` opening a JSON string literal (its `"` and the characters, no closing quote) when it
   * needs no escaping: all printable ASCII other than `"` and `\`. Returns false, having
   * written nothing, otherwise.
   */
  plainText(s: string): boolean {
    const n = s.length;
    this.ensure(n + 1);
    const buf = this.buf;
    let p = this.pos;
    buf[p++] = 0x22;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c > 0x7f || c === 0x22 || c === 0x5c) return false;
      buf[p++] = c;
    }
    this.pos = p;
    return true;
  }

  /**
   * `s` as a JSON string literal when it is lowercase hex (trace and span ids). Returns false,
   * having written nothing, otherwise.
   */
  hexString(s: string): boolean {
    const n = s.length;
    this.ensure(n + 2);
    const buf = this.buf;
    let p = this.pos;
    buf[p++] = 0x22;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
      buf[p++] = c;
    }
    buf[p++] = 0x22;
    this.pos = p;
    return true;
  }

  /** A copy of the bytes written, for the caller to keep. */
  copy(): Buffer {
    const out = Buffer.allocUnsafe(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    return out;
  }
}
