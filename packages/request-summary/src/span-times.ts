/**
 * The figures of the span being recorded, in one array of doubles that the processor fills once
 * per span and hands to everything that needs them (the coverages, the request, the operation).
 * A double passed to or returned from a call that V8 does not inline is boxed (a heap number per
 * span); one written into an array of doubles is not, whatever V8 decides to inline.
 */
export type SpanTimes = number[];

/** The span's start, ms from its request's start second (see {@link putMs}). */
export const START = 0;
/** The span's end, ms from its request's start second. */
export const END = 1;
/** The span's duration in ms, from its own `duration`. */
export const DURATION = 2;
/** The span's self time in ms. */
export const SELF = 3;

/** A new {@link SpanTimes}, filled with doubles so that V8 keeps its elements unboxed. */
export function newSpanTimes(): SpanTimes {
  return [0.5, 0.5, 0.5, 0.5];
}

/**
 * Writes `time` (`[seconds, nanoseconds]`) into `out[i]` in milliseconds from the whole second
 * `base`: small numbers, whose fraction keeps sub-microsecond digits (epoch milliseconds as
 * doubles keep ~0.2 µs).
 */
export function putMs(out: SpanTimes, i: number, time: readonly number[], base: number): void {
  out[i] = (time[0]! - base) * 1e3 + time[1]! * 1e-6;
}

/**
 * Writes a span's `duration` into `out[DURATION]` in ms, `s * 1e3 + ns / 1e6` (what any other
 * exporter of the span reports); NaN (a malformed duration) counts as 0, like a negative one the
 * SDK would clamp.
 */
export function putDuration(out: SpanTimes, duration: readonly number[]): void {
  let ms = duration[0]! * 1e3 + duration[1]! / 1e6;
  if (!(ms >= 0)) ms = 0;
  out[DURATION] = ms;
}
