import type { GelfTransportStats } from '../types.js';

/**
 * The bookkeeping every transport shares: messages pending (accepted, not yet settled), each
 * settled exactly once as sent, failed or dropped, plus bytes and errors; and a `wait` for
 * `flush`.
 */
export class TransportCounters {
  /** Messages accepted and not yet sent or failed. */
  pending = 0;
  sent = 0;
  dropped = 0;
  failed = 0;
  bytes = 0;
  errors = 0;
  private waiters: Array<() => void> = [];

  /** A message was accepted. */
  accept(): void {
    this.pending++;
  }

  /** An accepted message was sent (`ok`) or lost. */
  settle(ok: boolean): void {
    if (ok) this.sent++;
    else this.failed++;
    this.pending--;
    if (this.pending <= 0) {
      this.pending = 0;
      const waiters = this.waiters;
      if (waiters.length > 0) {
        this.waiters = [];
        for (const wake of waiters) wake();
      }
    }
  }

  /**
   * Resolves once nothing is pending, or after `timeoutMs`. The timer is deliberately ref'ed: a
   * flush awaited in a signal handler or at `beforeExit` must keep the loop alive (our sockets
   * are unref'ed) for at most `timeoutMs`.
   */
  wait(timeoutMs: number): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push(wake);
      timer = setTimeout(
        () => {
          const i = this.waiters.indexOf(wake);
          if (i >= 0) this.waiters.splice(i, 1);
          resolve();
        },
        Math.max(0, timeoutMs),
      );
    });
  }

  /** A snapshot for `stats()`. */
  snapshot(): GelfTransportStats {
    return {
      sent: this.sent,
      dropped: this.dropped,
      failed: this.failed,
      pending: this.pending,
      bytes: this.bytes,
      errors: this.errors,
    };
  }
}
