import type { OperationStats } from './operation-stats.js';
import type { RequestRecord } from './request-record.js';

/** A span time as the SDK gives it: `[seconds, nanoseconds]`. */
export type HrTimeLike = readonly [number, number] | readonly number[];

/**
 * `time` in milliseconds from the whole second `base`: small numbers, whose fraction keeps
 * sub-microsecond digits (epoch milliseconds as doubles keep ~0.2 µs).
 */
export function toMs(time: HrTimeLike, base: number): number {
  return (time[0]! - base) * 1e3 + time[1]! * 1e-6;
}

/** Disjoint intervals kept unsettled per owner; past it the two closest merge (see `insert`). */
const MAX_PENDING = 3;
/** Starts of open members kept per owner; past it the earliest of the rest stands for them. */
const MAX_OPEN = 3;
// Layout of `Coverage.buf` (doubles): the running figures, the pending intervals as start, end
// pairs (sorted, one spare pair for an insert), then the starts of open members.
/** Covered time settled so far, in ms. */
const MS = 0;
/** The last interval settled before the owner ended, to cut back should it pass the end. */
const LAST_START = 1;
const LAST_END = 2;
/** The earliest start among the open members that did not fit in the buffer. */
const EXTRA_MIN = 3;
/** The latest start seen: members that have not started yet cannot start before it. */
const LATEST_START = 4;
/**
 * The interval {@link Coverage.insert} takes, and what `earliestOpen` finds: passed in the
 * buffer, since a double passed to or returned from a call that V8 does not inline is boxed.
 */
const IN_START = 5;
const IN_END = 6;
const EARLIEST_OPEN = 7;
const PENDING_AT = 8;
const OPEN_AT = PENDING_AT + 2 * (MAX_PENDING + 1);
const BUF_SIZE = OPEN_AT + MAX_OPEN;

/**
 * The time covered by a set of spans (the union of their intervals, overlaps once), computed
 * online from their starts and ends as the processor sees them, clipped to the interval of an
 * owner: a parent span (its direct children, for its self time) or the request (the spans of one
 * kind of work).
 *
 * Why not only an active counter (Elastic's agents: busy from the start of the member that makes
 * it 1 until the end of the member that brings it back to 0)? It reads the order of the calls, and
 * the SDK's timestamps do not follow it within a millisecond: a span's start is `Date.now()`
 * (whole milliseconds) and its end that start plus a precise duration, so two siblings that
 * overlapped in time can show a gap of up to 1 ms, or the reverse. Summaries must match the spans
 * that other exporters ship, so the union is taken of the timestamps themselves:
 *
 * - an ended member's interval goes into a short sorted list of disjoint pending intervals
 *   (children end in any order: one that started later may end first; the list merges them);
 * - a pending interval is settled (added to `ms`) once no member can reach back into it: open
 *   members start no earlier than the earliest start still open, and members not started yet no
 *   earlier than the latest start seen (`Date.now()` does not go back);
 * - the owner's end clips everything (a child outliving its parent); members that are open when it
 *   ends still count when they end, since their timestamps may end before the owner's does. When
 *   the total is taken ({@link total}), members still open cover from the earliest of their
 *   starts to the owner's end.
 *
 * Exact whenever at most 3 disjoint intervals wait at once, which takes a long-running member
 * that others end inside of; beyond, the two closest intervals merge, and the gap between them is
 * counted as covered, which the long member (open across it) will make true when it ends. Times
 * are taken as HrTime and kept as milliseconds from the request's start second (`base`), so that
 * differences keep their sub-microsecond digits and no float is boxed on the way in. O(1) per
 * member; one small array, allocated with the first member, and nothing after.
 */
export class Coverage {
  /**
   * The request the owner belongs to. One class for every owner (a registered span, the root,
   * a kind), so that the hot path sees one shape.
   */
  readonly request: RequestRecord;
  /**
   * For a registered span that ended with children open: its self time is added to this
   * operation when its last child ends (their timestamps decide it), or when the summary is
   * taken.
   */
  op: OperationStats | undefined = undefined;
  /** The owner's span id, for a registered span (see `RequestRecord.openParents`). */
  id: string | undefined = undefined;
  /** The owner span's duration, while `op` waits for its self time. */
  durationMs = 0;
  /** Members ended (whenever they ended: after the owner too). */
  count = 0;
  /** The second that times are counted from (the request's start second). */
  readonly base: number;
  /** Start of the owner (ms from `base`): members are clipped to it. */
  private readonly from: number;
  /** End of the owner, once it has ended. */
  private to = Number.POSITIVE_INFINITY;
  /** True once {@link total} was taken: members change nothing any more. */
  private done = false;
  private buf: number[] | undefined = undefined;
  private pending = 0;
  private open = 0;
  /** Open members whose start did not fit in `buf`. */
  private extraOpen = 0;

  /**
   * @param request - the request of the owner
   * @param from - the owner's start; undefined if unknown (then nothing is clipped at it)
   */
  private constructor(request: RequestRecord, from: number) {
    this.request = request;
    this.base = request.base;
    this.from = from;
  }

  /** The coverage of an owner in `request` that started at `from`. */
  static of(request: RequestRecord, from: HrTimeLike | undefined): Coverage {
    return new Coverage(
      request,
      from === undefined ? Number.NEGATIVE_INFINITY : toMs(from, request.base),
    );
  }

  /** A coverage that has seen what this one has, and goes its own way from now on. */
  copy(): Coverage {
    const c = new Coverage(this.request, this.from);
    c.count = this.count;
    c.to = this.to;
    c.done = this.done;
    c.buf = this.buf?.slice();
    c.pending = this.pending;
    c.open = this.open;
    c.extraOpen = this.extraOpen;
    return c;
  }

  /** `time` in ms from `base`. */
  ms(time: HrTimeLike): number {
    return toMs(time, this.base);
  }

  /** Members started and not ended. */
  get openMembers(): number {
    return this.open + this.extraOpen;
  }

  /**
   * A member started at `times[0]` (ms from `base`, see {@link toMs}): the times come in an array
   * that the caller fills once per span for all its owners.
   */
  add(times: readonly number[]): void {
    if (this.done) return;
    let buf = this.buf;
    if (buf === undefined) {
      // Filled with doubles, so that V8 keeps it an array of unboxed doubles from the start.
      buf = this.buf = new Array<number>(BUF_SIZE).fill(Number.NaN);
      buf[MS] = 0;
      buf[LAST_START] = 0;
      buf[LAST_END] = Number.NEGATIVE_INFINITY;
      buf[EXTRA_MIN] = Number.POSITIVE_INFINITY;
      buf[LATEST_START] = Number.NEGATIVE_INFINITY;
    }
    let s = times[0]!;
    if (s < this.from) s = this.from;
    if (s > buf[LATEST_START]!) buf[LATEST_START] = s;
    if (this.open < MAX_OPEN) {
      buf[OPEN_AT + this.open++] = s;
    } else {
      this.extraOpen++;
      if (s < buf[EXTRA_MIN]!) buf[EXTRA_MIN] = s;
    }
  }

  /** A member that started at `times[0]` (as given to {@link add}) ended at `times[1]`. */
  remove(times: readonly number[]): void {
    this.count++;
    const buf = this.buf;
    if (this.done || buf === undefined) return;
    // The common case, members one after another: this was the only one open, one interval
    // waits, and this member started after it ended. Kept this small so that V8 inlines it into
    // the processor's onEnd; everything else is out of line.
    const s = times[0]!;
    const e = times[1]!;
    if (
      this.open === 1 &&
      this.pending === 1 &&
      this.extraOpen === 0 &&
      this.to === Number.POSITIVE_INFINITY &&
      buf[OPEN_AT] === s &&
      s >= this.from &&
      s > buf[PENDING_AT + 1]! &&
      e > s
    ) {
      this.open = 0;
      // The waiting interval ended before this member started, the latest start: settled.
      buf[MS] = buf[MS]! + (buf[PENDING_AT + 1]! - buf[PENDING_AT]!);
      buf[LAST_START] = buf[PENDING_AT]!;
      buf[LAST_END] = buf[PENDING_AT + 1]!;
      buf[PENDING_AT] = s;
      buf[PENDING_AT + 1] = e;
      // A member that started later (and has ended) may lie beyond this one.
      if (e <= buf[LATEST_START]!) this.settle(buf);
      return;
    }
    this.removeAny(buf, times);
  }

  /** {@link remove} in general: several members open, several intervals waiting, or the owner ended. */
  private removeAny(buf: number[], times: readonly number[]): void {
    let s = times[0]!;
    if (s < this.from) s = this.from;
    const e = times[1]!;
    // Members one after another still: the only one open, at most one interval waiting.
    if (
      this.open === 1 &&
      this.extraOpen === 0 &&
      this.pending <= 1 &&
      buf[OPEN_AT] === s &&
      this.to === Number.POSITIVE_INFINITY
    ) {
      this.open = 0;
      if (e > s) {
        if (this.pending === 0) {
          buf[PENDING_AT] = s;
          buf[PENDING_AT + 1] = e;
          this.pending = 1;
        } else if (s <= buf[PENDING_AT + 1]!) {
          if (s < buf[PENDING_AT]!) buf[PENDING_AT] = s;
          if (e > buf[PENDING_AT + 1]!) buf[PENDING_AT + 1] = e;
        } else {
          buf[MS] = buf[MS]! + (buf[PENDING_AT + 1]! - buf[PENDING_AT]!);
          buf[LAST_START] = buf[PENDING_AT]!;
          buf[LAST_END] = buf[PENDING_AT + 1]!;
          buf[PENDING_AT] = s;
          buf[PENDING_AT + 1] = e;
        }
      }
      // With none open, nothing can reach back before the latest start.
      if (this.pending === 1 && buf[PENDING_AT + 1]! <= buf[LATEST_START]!) this.settle(buf);
      return;
    }
    // Members one after another inside an older one still open (a handler's calls, in the kind
    // of work they share with it): this one goes after every waiting interval, and none of them
    // settles, since the older one started before them all. What the general path below does,
    // without its searches.
    if (
      this.open === 2 &&
      this.extraOpen === 0 &&
      this.pending > 0 &&
      e > s &&
      s > buf[PENDING_AT + 2 * this.pending - 1]!
    ) {
      const older = buf[OPEN_AT] === s ? OPEN_AT + 1 : buf[OPEN_AT + 1] === s ? OPEN_AT : -1;
      if (older !== -1 && buf[older]! <= buf[PENDING_AT]!) {
        buf[OPEN_AT] = buf[older]!;
        this.open = 1;
        const n = this.pending;
        buf[PENDING_AT + 2 * n] = s;
        buf[PENDING_AT + 2 * n + 1] = e;
        this.pending = n + 1 > MAX_PENDING ? mergeClosest(buf, n + 1) : n + 1;
        return;
      }
    }
    let found = false;
    const last = OPEN_AT + this.open - 1;
    for (let i = OPEN_AT; i <= last; i++) {
      if (buf[i] === s) {
        buf[i] = buf[last]!;
        this.open--;
        found = true;
        break;
      }
    }
    if (!found && this.extraOpen > 0 && --this.extraOpen === 0) {
      buf[EXTRA_MIN] = Number.POSITIVE_INFINITY;
    }
    // Not found anywhere: a member never added here (its attributes changed its kind after it
    // started). Its interval still counts.
    if (e > s) {
      buf[IN_START] = s;
      buf[IN_END] = e;
      this.insert(buf);
    }
    if (this.pending > 0) this.settle(buf);
  }

  /**
   * The owner's self time: `durationMs` minus the time its members covered ({@link total}),
   * never negative.
   */
  selfMs(durationMs: number): number {
    const selfMs = durationMs - this.total();
    return Math.max(selfMs, 0);
  }

  /** The owner ended at `end`: members are clipped there. */
  end(end: HrTimeLike): void {
    this.endAtMs(this.ms(end));
  }

  /**
   * The covered time within the owner's interval, in ms; members still open cover from the
   * earliest of their starts to the owner's end. Final: later members change nothing.
   * @param end - the owner's end, unless {@link end} was called
   */
  total(end?: HrTimeLike): number {
    const buf = this.buf;
    if (end !== undefined) this.end(end);
    if (this.done || buf === undefined) {
      this.done = true;
      return buf === undefined ? 0 : buf[MS]!;
    }
    this.done = true;
    const to = this.to;
    this.earliestOpen(buf);
    if (buf[EARLIEST_OPEN]! < to) {
      buf[IN_START] = buf[EARLIEST_OPEN]!;
      buf[IN_END] = to;
      this.insert(buf);
    }
    let ms = buf[MS]!;
    for (let i = 0; i < this.pending; i++) {
      const s = buf[PENDING_AT + 2 * i]!;
      const e = buf[PENDING_AT + 2 * i + 1]!;
      if (s >= to) break;
      ms += Math.min(e, to) - s;
    }
    this.pending = 0;
    this.open = 0;
    this.extraOpen = 0;
    // Within [0, the owner's duration]; NaN (a malformed timestamp) counts as nothing covered.
    const most = to - this.from;
    if (ms > most) ms = most;
    if (!(ms > 0)) ms = 0;
    buf[MS] = ms;
    return ms;
  }

  /** The owner ended at `to`, in ms from `base` (see {@link ms}). */
  endAtMs(to: number): void {
    if (this.to !== Number.POSITIVE_INFINITY) return;
    this.to = to;
    const buf = this.buf;
    if (buf !== undefined && buf[LAST_END]! > to) {
      const lastStart = buf[LAST_START]!;
      buf[MS] = buf[MS]! - (buf[LAST_END]! - Math.max(lastStart, to));
    }
  }

  /** Puts the earliest start among the open members (+∞ without any) in `buf[EARLIEST_OPEN]`. */
  private earliestOpen(buf: number[]): void {
    let min = this.extraOpen > 0 ? buf[EXTRA_MIN]! : Number.POSITIVE_INFINITY;
    for (let i = OPEN_AT; i < OPEN_AT + this.open; i++) if (buf[i]! < min) min = buf[i]!;
    buf[EARLIEST_OPEN] = min;
  }

  /**
   * Adds [`buf[IN_START]`, `buf[IN_END]`) to the sorted disjoint pending intervals, merging
   * what it touches.
   */
  private insert(buf: number[]): void {
    let s = buf[IN_START]!;
    let e = buf[IN_END]!;
    let n = this.pending;
    // First interval that ends at or after s: everything before it stays as it is.
    let i = 0;
    while (i < n && buf[PENDING_AT + 2 * i + 1]! < s) i++;
    // Intervals from i that start at or before e merge with [s, e].
    let j = i;
    while (j < n && buf[PENDING_AT + 2 * j]! <= e) {
      const js = buf[PENDING_AT + 2 * j]!;
      const je = buf[PENDING_AT + 2 * j + 1]!;
      if (js < s) s = js;
      if (je > e) e = je;
      j++;
    }
    const removed = j - i;
    if (removed !== 1) {
      // Shift the tail to leave exactly one pair at i.
      move(buf, PENDING_AT + 2 * (i + 1), PENDING_AT + 2 * j, PENDING_AT + 2 * n);
      n += 1 - removed;
    }
    buf[PENDING_AT + 2 * i] = s;
    buf[PENDING_AT + 2 * i + 1] = e;
    if (n > MAX_PENDING) n = mergeClosest(buf, n);
    this.pending = n;
  }

  /** Settles the pending intervals that nothing open or still to start can reach back into. */
  private settle(buf: number[]): void {
    const n = this.pending;
    let bound = buf[LATEST_START]!;
    if (this.open + this.extraOpen > 0) {
      this.earliestOpen(buf);
      if (buf[EARLIEST_OPEN]! < bound) bound = buf[EARLIEST_OPEN]!;
    }
    const to = this.to;
    let k = 0;
    while (k < n && buf[PENDING_AT + 2 * k + 1]! <= bound) {
      const s = buf[PENDING_AT + 2 * k]!;
      const e = buf[PENDING_AT + 2 * k + 1]!;
      if (e <= to) {
        buf[MS] = buf[MS]! + (e - s);
        buf[LAST_START] = s;
        buf[LAST_END] = e;
      } else if (s < to) {
        buf[MS] = buf[MS]! + (to - s);
      }
      k++;
    }
    if (k > 0) {
      move(buf, PENDING_AT, PENDING_AT + 2 * k, PENDING_AT + 2 * n);
      this.pending = n - k;
    }
  }
}

/** Merges the two pending neighbours with the smallest gap; returns the new count. */
function mergeClosest(buf: number[], n: number): number {
  let best = 0;
  let bestGap = Number.POSITIVE_INFINITY;
  for (let i = 0; i + 1 < n; i++) {
    const gap = buf[PENDING_AT + 2 * (i + 1)]! - buf[PENDING_AT + 2 * i + 1]!;
    if (gap < bestGap) {
      bestGap = gap;
      best = i;
    }
  }
  buf[PENDING_AT + 2 * best + 1] = buf[PENDING_AT + 2 * (best + 1) + 1]!;
  move(buf, PENDING_AT + 2 * (best + 1), PENDING_AT + 2 * (best + 2), PENDING_AT + 2 * n);
  return n - 1;
}

/**
 * `buf.copyWithin(to, from, end)` for a few doubles: the builtin reads each element as a boxed
 * number, which allocates.
 */
function move(buf: number[], to: number, from: number, end: number): void {
  if (to < from) {
    for (let i = from; i < end; i++) buf[to + i - from] = buf[i]!;
  } else {
    for (let i = end - 1; i >= from; i--) buf[to + i - from] = buf[i]!;
  }
}
