import { diag } from '@opentelemetry/api';

/**
 * A `diag.warn` that speaks at most once per interval, then says how many similar warnings it
 * held back, so a dead Graylog does not flood the application's logs.
 */
export class RateLimitedWarning {
  private readonly intervalMs: number;
  private last = Number.NEGATIVE_INFINITY;
  private suppressed = 0;

  constructor(intervalMs = 30_000) {
    this.intervalMs = intervalMs;
  }

  /** Warns `message` (plus `detail` when given) unless a warning went out within the interval. */
  warn(message: string, detail?: unknown): void {
    const now = Date.now();
    if (now - this.last < this.intervalMs) {
      this.suppressed++;
      return;
    }
    const held = this.suppressed;
    this.last = now;
    this.suppressed = 0;
    const suffix = held > 0 ? ` (${held} similar warnings suppressed)` : '';
    if (detail === undefined) diag.warn(message + suffix);
    else diag.warn(message + suffix, detail);
  }
}
