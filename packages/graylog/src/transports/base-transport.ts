import type { GelfTransport, GelfTransportStats } from '../types.js';
import { TransportCounters } from './counters.js';

/**
 * What every transport shares: the counters, `flush` (wait until nothing is pending), a `close`
 * that runs once, and `stats`. A transport implements `send` and `release` (flush, then free its
 * sockets).
 */
export abstract class BaseTransport implements GelfTransport {
  abstract readonly maxPayloadBytes: number;
  protected readonly counters = new TransportCounters();
  /** Set by the first `close`; `send` drops from then on. */
  protected closed = false;

  abstract send(payload: Buffer): boolean;

  /** Waits for what is pending (up to `timeoutMs`), then frees sockets and agents. */
  protected abstract release(timeoutMs: number): Promise<void>;

  /**
   * Whether `send` may take `payload`: not after `close`, not over {@link maxPayloadBytes}, not
   * when the transport's own bound is reached (`full`). A refused payload is counted as dropped.
   */
  protected admit(payload: Buffer, full: boolean): boolean {
    if (this.closed || payload.length > this.maxPayloadBytes || full) {
      this.counters.dropped++;
      return false;
    }
    return true;
  }

  flush(timeoutMs: number): Promise<void> {
    return this.counters.wait(timeoutMs);
  }

  async close(timeoutMs: number): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.release(timeoutMs);
  }

  stats(): GelfTransportStats {
    return this.counters.snapshot();
  }
}
