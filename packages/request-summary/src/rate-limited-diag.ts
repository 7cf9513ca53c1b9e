import { diag } from '@opentelemetry/api';

/** How often one kind of message may reach `diag`. */
const DIAG_INTERVAL_MS = 60_000;
/**
 * Kinds tracked at once; kinds past it share one slot. Kinds are fixed names or short reasons
 * (`HTTP 500`, `ECONNREFUSED`), so real programs stay far below it; the cap keeps the map bounded
 * whatever error texts a network produces.
 */
const MAX_KINDS = 64;
const OVERFLOW_KIND = '\0other';

/** A `diag` level {@link RateLimitedDiag.report} can write at. */
export type DiagLevel = 'error' | 'warn' | 'info' | 'debug';

interface Slot {
  nextAt: number;
  suppressed: number;
}

/**
 * Reports recurring conditions (drops, late spans, network failures) through `diag` at most once
 * per interval (a minute) per kind, with the number of occurrences left unreported since, so a
 * flood of events costs one log line a minute per kind rather than one per event, and one kind
 * never hides another.
 *
 * The one limiter of the otel-gelf packages: `@otel-gelf/graylog` imports it from here (it
 * depends on this package) rather than keeping a copy. It is public so that exporters written
 * for `RequestSummaryProcessor` can report the same way.
 */
export class RateLimitedDiag {
  private readonly prefix: string;
  private readonly intervalMs: number;
  private readonly slots = new Map<string, Slot>();

  /**
   * @param prefix - put before every message, e.g. `@otel-gelf/graylog: `
   * @param intervalMs - shortest time between two reports of one kind
   */
  constructor(prefix = '@otel-gelf/request-summary: ', intervalMs: number = DIAG_INTERVAL_MS) {
    this.prefix = prefix;
    this.intervalMs = intervalMs;
  }

  /** Logs `message` (plus `detail`) unless `kind` was logged less than an interval ago. */
  report(level: DiagLevel, kind: string, message: string, detail?: unknown): void {
    const now = Date.now();
    let slot = this.slots.get(kind);
    if (slot === undefined) {
      if (this.slots.size >= MAX_KINDS) kind = OVERFLOW_KIND;
      slot = this.slots.get(kind);
      if (slot === undefined) {
        slot = { nextAt: 0, suppressed: 0 };
        this.slots.set(kind, slot);
      }
    }
    if (now < slot.nextAt) {
      slot.suppressed++;
      return;
    }
    const more =
      slot.suppressed > 0 ? ` (${slot.suppressed} more since the last report of this kind)` : '';
    slot.nextAt = now + this.intervalMs;
    slot.suppressed = 0;
    if (detail === undefined) diag[level](`${this.prefix}${message}${more}`);
    else diag[level](`${this.prefix}${message}${more}`, detail);
  }
}
