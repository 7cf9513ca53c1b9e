import { diag } from '@opentelemetry/api';

/** How often one kind of warning may reach `diag`. */
const DIAG_INTERVAL_MS = 60_000;

type Level = 'error' | 'warn' | 'info' | 'debug';

interface Slot {
  nextAt: number;
  suppressed: number;
}

/**
 * Reports recurring conditions (drops, late spans, failures) through `diag` at most once per
 * interval per kind, with the number of occurrences left unreported since, so that a flood of
 * events costs one log line a minute rather than one per span.
 */
export class RateLimitedDiag {
  private readonly intervalMs: number;
  private readonly slots = new Map<string, Slot>();

  constructor(intervalMs: number = DIAG_INTERVAL_MS) {
    this.intervalMs = intervalMs;
  }

  /** Logs `message` (plus `detail`) unless `kind` was logged less than an interval ago. */
  report(level: Level, kind: string, message: string, detail?: unknown): void {
    const now = Date.now();
    let slot = this.slots.get(kind);
    if (slot === undefined) {
      slot = { nextAt: 0, suppressed: 0 };
      this.slots.set(kind, slot);
    }
    if (now < slot.nextAt) {
      slot.suppressed++;
      return;
    }
    const more =
      slot.suppressed > 0 ? ` (${slot.suppressed} more since the last report of this kind)` : '';
    slot.nextAt = now + this.intervalMs;
    slot.suppressed = 0;
    if (detail === undefined) diag[level](`@otel-gelf/request-summary: ${message}${more}`);
    else diag[level](`@otel-gelf/request-summary: ${message}${more}`, detail);
  }
}
