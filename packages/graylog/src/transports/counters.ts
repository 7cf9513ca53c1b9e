import type { GelfLossCounts, GelfOutcome, GelfTransportStats } from '../types.js';

/** Which losses are drops (refused without trying); the other reasons are failures. */
const DROP_REASONS: ReadonlySet<GelfOutcome> = new Set([
  'bufferFull',
  'inFlightCap',
  'tooLarge',
  'closed',
]);

/** A {@link GelfLossCounts} with every reason at 0. */
export function noLosses(): GelfLossCounts {
  return {
    bufferFull: 0,
    inFlightCap: 0,
    tooLarge: 0,
    closed: 0,
    timeout: 0,
    httpStatus: 0,
    network: 0,
  };
}

/** Whether `outcome` is a drop (refused without trying) rather than a failure or a send. */
export function isDrop(outcome: GelfOutcome): boolean {
  return DROP_REASONS.has(outcome);
}

/**
 * The bookkeeping every transport shares: messages pending (accepted, not yet settled), each
 * ended exactly once as sent, dropped or failed (by reason), plus bytes and errors; and a `wait`
 * for `flush`.
 */
export class TransportCounters {
  /** Messages accepted and not yet sent or failed. */
  pending = 0;
  sent = 0;
  dropped = 0;
  failed = 0;
  bytes = 0;
  errors = 0;
  readonly lost: GelfLossCounts = noLosses();
  private waiters: Array<() => void> = [];

  /** A message was accepted. */
  accept(): void {
    this.pending++;
  }

  /** A message was refused without being accepted. */
  drop(reason: GelfOutcome): void {
    this.dropped++;
    if (reason !== 'sent') this.lost[reason]++;
  }

  /** An accepted message was sent or lost. */
  settle(outcome: GelfOutcome): void {
    if (outcome === 'sent') this.sent++;
    else {
      this.lost[outcome]++;
      // Dropped at the last moment (e.g. buffered, then the transport closed): still a drop.
      if (isDrop(outcome)) this.dropped++;
      else this.failed++;
    }
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
      lost: { ...this.lost },
      pending: this.pending,
      bytes: this.bytes,
      errors: this.errors,
    };
  }
}
