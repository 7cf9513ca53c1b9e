/**
 * Counts the spans in an OTLP `ExportTraceServiceRequest` without a protobuf library: it walks
 * `resource_spans` (field 1) → `scope_spans` (field 2) → `spans` (field 2) and skips the rest.
 * Throws on a truncated or malformed message.
 */
export function countOtlpSpans(message: Uint8Array): number {
  let spans = 0;
  forEachField(message, 0, message.length, 1, (start, end) => {
    forEachField(message, start, end, 2, (scopeStart, scopeEnd) => {
      forEachField(message, scopeStart, scopeEnd, 2, () => spans++);
    });
  });
  return spans;
}

const VARINT = 0;
const FIXED64 = 1;
const LEN = 2;
const FIXED32 = 5;

/** Calls `onField(start, end)` for each length-delimited field numbered `wanted` in [from, to). */
function forEachField(
  buf: Uint8Array,
  from: number,
  to: number,
  wanted: number,
  onField: (start: number, end: number) => void,
): void {
  let at = from;
  const varint = (): number => {
    let value = 0;
    let scale = 1;
    for (;;) {
      if (at >= to) throw new Error('OTLP: truncated varint');
      const byte = buf[at++]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
  };
  while (at < to) {
    const key = varint();
    const wireType = key % 8;
    const field = Math.floor(key / 8);
    if (wireType === VARINT) varint();
    else if (wireType === FIXED64) at += 8;
    else if (wireType === FIXED32) at += 4;
    else if (wireType === LEN) {
      const length = varint();
      if (at + length > to) throw new Error('OTLP: truncated field');
      if (field === wanted) onField(at, at + length);
      at += length;
    } else throw new Error(`OTLP: unsupported wire type ${wireType}`);
  }
  if (at !== to) throw new Error('OTLP: truncated message');
}
