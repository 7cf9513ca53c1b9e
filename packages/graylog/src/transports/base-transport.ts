import { RateLimitedDiag } from '@otel-gelf/request-summary';
import type {
  GelfLossReason,
  GelfOutcome,
  GelfOutcomeCallback,
  GelfTransport,
  GelfTransportStats,
} from '../types.js';
import { TransportCounters } from './counters.js';

/**
 * One of our transports that can send bytes it does not own: {@link sendBorrowed} is
 * {@link GelfTransport.send} for a payload valid only during the call (the transport copies what
 * it keeps, as it would anyway for chunks, a compressed body or a TCP frame), so the exporter
 * can hand over the mapping's scratch buffer instead of a copy of it.
 */
export interface BorrowingTransport extends GelfTransport {
  sendBorrowed(payload: Buffer, onOutcome?: GelfOutcomeCallback): boolean;
}

/** Whether `transport` can take a borrowed payload ({@link BorrowingTransport}). */
export function canBorrow(transport: GelfTransport): transport is BorrowingTransport {
  return typeof (transport as Partial<BorrowingTransport>).sendBorrowed === 'function';
}

/**
 * What every transport shares: the counters, outcome callbacks, readiness (`ready`/`onReady`),
 * `flush` (wait until nothing is pending), a `close` that runs once, `stats`, and one
 * rate-limited `diag` per transport. A transport implements `send`, `ready` and `release`
 * (flush, then free its sockets), and calls {@link settle} once per accepted message.
 */
export abstract class BaseTransport implements GelfTransport {
  abstract readonly maxPayloadBytes: number;
  protected readonly counters = new TransportCounters();
  protected readonly log = new RateLimitedDiag('@otel-gelf/graylog: ');
  /** Set by the first `close`; `send` drops from then on. */
  protected closed = false;
  private readyWaiters: Array<() => void> = [];

  abstract send(payload: Buffer, onOutcome?: GelfOutcomeCallback): boolean;

  /** Whether another message can be taken without passing the high-water mark. */
  abstract get ready(): boolean;

  /** Waits for what is pending (up to `timeoutMs`), then frees sockets and agents. */
  protected abstract release(timeoutMs: number): Promise<void>;

  onReady(callback: () => void): void {
    if (this.closed || this.ready) callback();
    else this.readyWaiters.push(callback);
  }

  /**
   * Whether `send` may take `payload`: not after `close`, not over {@link maxPayloadBytes}, not
   * when the transport's own bound is reached (`full` names it). A refused payload is counted as
   * dropped and its outcome told at once.
   */
  protected admit(
    payload: Buffer,
    full: GelfLossReason | undefined,
    detail: string | undefined,
    onOutcome: GelfOutcomeCallback | undefined,
  ): boolean {
    if (this.closed) return this.drop('closed', `${this.label} is closed`, onOutcome);
    if (payload.length > this.maxPayloadBytes) {
      return this.drop(
        'tooLarge',
        `message of ${payload.length} bytes over ${this.label}'s limit of ${this.maxPayloadBytes}`,
        onOutcome,
      );
    }
    if (full !== undefined) return this.drop(full, detail, onOutcome);
    return true;
  }

  /** Counts a message refused without trying and tells its outcome; returns false for `send`. */
  protected drop(
    reason: GelfLossReason,
    detail: string | undefined,
    onOutcome: GelfOutcomeCallback | undefined,
  ): false {
    this.counters.drop(reason);
    this.log.report('warn', reason, `${detail ?? reason}; message dropped`);
    onOutcome?.(reason, detail);
    return false;
  }

  /** Ends one accepted message: counted, its outcome told, waiting senders woken when ready. */
  protected settle(
    outcome: GelfOutcome,
    detail: string | undefined,
    onOutcome: GelfOutcomeCallback | undefined,
  ): void {
    this.counters.settle(outcome);
    onOutcome?.(outcome, detail);
    this.wakeIfReady();
  }

  /** Counts a connection or socket error and reports it, rate-limited per kind. */
  protected onNetworkError(what: string, err: Error): string {
    this.counters.errors++;
    const code = (err as { code?: string }).code;
    const detail = `${this.label}: ${what}: ${err.message}`;
    this.log.report('warn', `network:${code ?? what}`, detail, err);
    return detail;
  }

  /** Wakes the senders waiting in {@link onReady} once the transport is ready (or closed). */
  protected wakeIfReady(): void {
    if (this.readyWaiters.length === 0 || !(this.closed || this.ready)) return;
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Short name for messages, e.g. `GELF TCP 127.0.0.1:12201`. */
  protected abstract get label(): string;

  flush(timeoutMs: number): Promise<void> {
    return this.counters.wait(timeoutMs);
  }

  async close(timeoutMs: number): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.release(timeoutMs);
    this.wakeIfReady();
  }

  stats(): GelfTransportStats {
    return this.counters.snapshot();
  }
}
