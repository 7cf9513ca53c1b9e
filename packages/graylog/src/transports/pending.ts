/**
 * Counts messages accepted but not yet settled and lets `flush` wait for zero. Shared by the
 * transports.
 */
export class PendingCounter {
  /** Messages accepted and not yet sent, failed or dropped. */
  count = 0;
  private waiters: Array<() => void> = [];

  add(): void {
    this.count++;
  }

  settle(): void {
    this.count--;
    if (this.count <= 0) {
      this.count = 0;
      const waiters = this.waiters;
      if (waiters.length > 0) {
        this.waiters = [];
        for (const wake of waiters) wake();
      }
    }
  }

  /**
   * Resolves true once nothing is pending, false after `timeoutMs`. The timer is deliberately
   * ref'ed: a flush awaited in a signal handler or at `beforeExit` must keep the loop alive (our
   * sockets are unref'ed) for at most `timeoutMs`.
   */
  wait(timeoutMs: number): Promise<boolean> {
    if (this.count === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.waiters.push(wake);
      timer = setTimeout(
        () => {
          const i = this.waiters.indexOf(wake);
          if (i >= 0) this.waiters.splice(i, 1);
          resolve(false);
        },
        Math.max(0, timeoutMs),
      );
    });
  }
}
