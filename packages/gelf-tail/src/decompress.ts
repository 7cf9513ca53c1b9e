import { gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';

/** How a GELF payload was compressed on the wire. */
export type GelfCompression = 'none' | 'gzip' | 'zlib';

/** The outcome of {@link decompressPayload}: the plain bytes, or why there are none. */
export type DecompressResult =
  | { ok: true; data: Buffer; compression: GelfCompression }
  | { ok: false; reason: string; compression: GelfCompression };

/**
 * Detects the compression of a GELF payload by its magic bytes, as Graylog does: `1f 8b` is
 * GZIP, a valid zlib header (`78 01|5e|9c|da`, i.e. deflate with a correct header checksum) is
 * ZLIB, anything else is plain.
 */
export function detectCompression(buf: Uint8Array): GelfCompression {
  if (buf.length < 2) return 'none';
  const b0 = buf[0]!;
  const b1 = buf[1]!;
  if (b0 === 0x1f && b1 === 0x8b) return 'gzip';
  // CMF = deflate with a 32 KiB window; FCHECK makes the 16-bit header a multiple of 31.
  if (b0 === 0x78 && ((b0 << 8) | b1) % 31 === 0) return 'zlib';
  return 'none';
}

/**
 * Inflates a payload whose compression is known (or detected with {@link detectCompression}),
 * never producing more than `maxBytes` of output (zlib's `maxOutputLength`), so a small
 * "zip bomb" cannot exhaust memory. Never throws: failures come back as `{ ok: false }`.
 *
 * @param buf - the bytes as received
 * @param maxBytes - the largest decompressed size accepted
 * @param compression - the compression to undo; detected from the magic bytes when omitted
 */
export function decompressPayload(
  buf: Buffer,
  maxBytes: number,
  compression: GelfCompression = detectCompression(buf),
): DecompressResult {
  if (compression === 'none') {
    if (buf.length > maxBytes) {
      return {
        ok: false,
        reason: `payload of ${buf.length} bytes exceeds ${maxBytes}`,
        compression,
      };
    }
    return { ok: true, data: buf, compression };
  }
  const options = { maxOutputLength: Math.max(1, maxBytes) };
  try {
    const data = compression === 'gzip' ? gunzipSync(buf, options) : inflateSync(buf, options);
    return { ok: true, data, compression };
  } catch (err) {
    return { ok: false, reason: describeZlibError(err, compression, maxBytes), compression };
  }
}

/**
 * Inflates an HTTP body sent with `Content-Encoding: deflate`. RFC 9110 means zlib-wrapped
 * deflate, but some clients send raw deflate; both are accepted, the zlib form first.
 */
export function inflateHttpDeflate(buf: Buffer, maxBytes: number): DecompressResult {
  const first = decompressPayload(buf, maxBytes, 'zlib');
  if (first.ok || first.reason.includes('exceeds')) return first;
  try {
    const data = inflateRawSync(buf, { maxOutputLength: Math.max(1, maxBytes) });
    return { ok: true, data, compression: 'zlib' };
  } catch {
    return first;
  }
}

function describeZlibError(err: unknown, compression: GelfCompression, maxBytes: number): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ERR_BUFFER_TOO_LARGE') {
    return `${compression} payload inflates beyond ${maxBytes} bytes`;
  }
  const message = err instanceof Error ? err.message : String(err);
  return `bad ${compression} payload: ${message}`;
}
