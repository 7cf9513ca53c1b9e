import { DURATION, SELF, type SpanTimes } from './span-times.js';
import type { OperationSummary } from './types.js';

/**
 * Running statistics of one operation within one request. Every field is a plain number and the
 * sample ring is allocated once, at construction, so recording a duration allocates nothing.
 */
export class OperationStats {
  readonly name: string;
  /** The entry of the operations past `maxOperations`. */
  readonly folded: boolean;
  count = 0;
  minMs = Number.POSITIVE_INFINITY;
  maxMs = Number.NEGATIVE_INFINITY;
  sumMs = 0;
  /** Sum of the spans' self times. */
  selfMs = 0;
  errors = 0;
  /** The last `samples` durations; `next` is where the following one goes (oldest when full). */
  private readonly ring: number[];
  private next = 0;

  constructor(name: string, samples: number, folded = false) {
    this.name = name;
    this.folded = folded;
    // NaN makes the backing store hold unboxed doubles from the start, so that the first
    // recorded duration does not reallocate it.
    this.ring = new Array<number>(samples).fill(Number.NaN);
  }

  /** Records one span's duration and self time (`times[DURATION]`, `times[SELF]`). */
  add(times: SpanTimes, isError: boolean): void {
    const ms = times[DURATION]!;
    this.count++;
    this.selfMs += times[SELF]!;
    if (ms < this.minMs) this.minMs = ms;
    if (ms > this.maxMs) this.maxMs = ms;
    this.sumMs += ms;
    if (isError) this.errors++;
    const ring = this.ring;
    const size = ring.length;
    if (size === 0) return;
    ring[this.next] = ms;
    this.next = this.next + 1 === size ? 0 : this.next + 1;
  }

  /**
   * A plain-data copy, the samples oldest first in end order.
   * @param selfTime - whether `selfMs` was computed (and belongs in the copy)
   */
  toSummary(selfTime: boolean): OperationSummary {
    const ring = this.ring;
    const size = ring.length;
    const kept = Math.min(this.count, size);
    const lastMs = new Array<number>(kept);
    // When the ring has wrapped, the oldest sample sits where the next one would go.
    const start = this.count < size ? 0 : this.next;
    for (let i = 0; i < kept; i++) {
      const j = start + i;
      lastMs[i] = ring[j < size ? j : j - size]!;
    }
    const summary: OperationSummary = {
      name: this.name,
      count: this.count,
      minMs: this.count === 0 ? 0 : this.minMs,
      maxMs: this.count === 0 ? 0 : this.maxMs,
      sumMs: this.sumMs,
      lastMs,
      errors: this.errors,
    };
    if (this.folded) summary.folded = true;
    if (selfTime) summary.selfMs = this.selfMs;
    return summary;
  }
}
