import { hostname } from 'node:os';
import { diag } from '@opentelemetry/api';
import {
  RateLimitedDiag,
  type RequestSummary,
  type SummaryExporter,
  type SummaryExportResult,
} from '@otel-gelf/request-summary';
import { type Environment, type GelfOptions, ignoredTlsNote, resolveGelfConfig } from './config.js';
import { ConfigurationError } from './configuration-error.js';
import { createTransport } from './create-transport.js';
import { FieldBudget, type FieldBudgetStats } from './gelf-plan.js';
import { toGelfPayload, withGelfPayload } from './to-gelf.js';
import { type BorrowingTransport, canBorrow } from './transports/base-transport.js';
import { isDrop, noLosses } from './transports/counters.js';
import type {
  GelfLossCounts,
  GelfLossReason,
  GelfOutcome,
  GelfTransport,
  GelfTransportStats,
} from './types.js';

/** Options of {@link GelfSummaryExporter}: where and how to send (see {@link GelfOptions}). */
export interface GelfSummaryExporterOptions extends GelfOptions {
  /** Environment variables to read instead of `process.env` (tests, embedding). */
  env?: Environment;
}

/**
 * Counters of a {@link GelfSummaryExporter}, one per message: its transport's, plus what the
 * exporter itself gave up before the transport (a summary that fits no GELF message: `tooLarge`;
 * export after shutdown: `closed`; not handed over or not answered within `timeoutMillis`:
 * `timeout`), so that `received = sent + dropped + failed + pending`.
 */
export interface GelfExporterStats extends GelfTransportStats {
  /** Summaries handed to `export`. */
  received: number;
}

// Export results in the shape of @opentelemetry/core's ExportResultCode (0 success, 1 failed).
const SUCCESS = 0;
const FAILED = 1;
/**
 * Longest a batch maps and hands over messages in one go before it lets the event loop run: a
 * full batch of 512 summaries is ~6 ms of CPU over UDP (~11 µs a message, this package's bench),
 * ~20 ms compressed, a pause every request waiting on the loop would pay in its latency.
 */
export const SLICE_MS = 1;

/**
 * A {@link SummaryExporter} that maps each request summary to one GELF message ({@link toGelf})
 * and sends it over UDP, TCP, TLS, HTTP(S) or gelf-pro, chosen by the endpoint URL.
 *
 * Backpressure: `export` hands the batch over message by message, waiting whenever the transport
 * is not `ready`, and calls back once every message has an outcome (sent, dropped or failed),
 * with the count of summaries delivered and dropped; so a slow Graylog makes summaries wait in
 * the processor's bounded queue instead of being dropped by a transport. A batch is bounded in
 * time: what is not handed over within `timeoutMillis` fails (`timeout`), and what is handed over
 * has its outcome within another `timeoutMillis` (the transports time out their own work).
 *
 * It never throws into the application: every `export` calls its callback exactly once (FAILED
 * when a message was not delivered, or after shutdown), and network trouble is counted
 * ({@link stats}) and reported through a rate-limited `diag.warn`.
 */
export class GelfSummaryExporter implements SummaryExporter {
  private readonly transport: GelfTransport;
  private readonly host: string;
  /** Longest time a batch may take to be handed over, and again for the outcomes to arrive. */
  readonly timeoutMillis: number;
  private readonly budget: FieldBudget;
  private readonly log = new RateLimitedDiag('@otel-gelf/graylog: ');
  private shutdownPromise: Promise<void> | undefined;
  private received = 0;
  /** Messages the exporter gave up itself, by reason (the transport counts its own). */
  private readonly lost: GelfLossCounts = noLosses();
  private ownDropped = 0;
  private ownFailed = 0;
  /** What every {@link BatchExport} of this exporter works with, made once. */
  private readonly context: BatchContext;

  /** @throws {@link ConfigurationError} naming the bad value when the configuration is invalid */
  constructor(options: GelfSummaryExporterOptions = {}) {
    const config = resolveGelfConfig(options, options.env ?? process.env, 'GelfSummaryExporter');
    const note = ignoredTlsNote(options, config.endpoint);
    if (note !== undefined) diag.warn(`GelfSummaryExporter: ${note}`);
    // Once per exporter, never per message.
    this.host = config.host ?? hostname();
    this.timeoutMillis = config.timeoutMillis;
    this.budget = new FieldBudget(config.fields);
    try {
      this.transport = createTransport(config);
    } catch (err) {
      // Keep the kind: a configuration conflict (gelf-pro's one configuration) stays one.
      const Kind = err instanceof ConfigurationError ? ConfigurationError : Error;
      throw new Kind(`GelfSummaryExporter: ${(err as Error).message}`, { cause: err });
    }
    this.context = {
      transport: this.transport,
      toGelfOptions: {
        host: this.host,
        maxBytes: this.transport.maxPayloadBytes,
        budget: this.budget,
      },
      log: this.log,
      timeoutMillis: this.timeoutMillis,
      countOwn: (reason, count) => this.countOwn(reason, count),
    };
  }

  export(summaries: RequestSummary[], resultCallback: (result: SummaryExportResult) => void): void {
    this.received += summaries.length;
    const batch = new BatchExport(this.context, summaries, resultCallback);
    if (this.shutdownPromise !== undefined) {
      batch.giveUp('closed', 'GelfSummaryExporter is shut down');
      return;
    }
    batch.start();
  }

  /** Waits until every message handed over so far is sent or failed (at most `timeoutMillis`). */
  forceFlush(): Promise<void> {
    return this.transport.flush(this.timeoutMillis).catch((err: unknown) => {
      diag.error('GelfSummaryExporter: flush failed', err);
    });
  }

  /** Flushes, then closes the sockets; runs once. Later exports report FAILED. */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= this.transport.close(this.timeoutMillis).catch((err: unknown) => {
      diag.error('GelfSummaryExporter: shutdown failed', err);
    });
    return this.shutdownPromise;
  }

  /**
   * Counters of the exporter's field budget: distinct field names it may emit, operations with
   * `_op_*` fields, shapes with folded operations or refused keys, type conflicts.
   */
  fieldStats(): FieldBudgetStats {
    return this.budget.stats();
  }

  /** A snapshot of the counters (the transport's plus the exporter's own). */
  stats(): GelfExporterStats {
    const t = this.transport.stats();
    const lost = { ...t.lost } as GelfLossCounts;
    for (const key of Object.keys(this.lost) as GelfLossReason[]) {
      lost[key] = (lost[key] ?? 0) + this.lost[key];
    }
    return {
      received: this.received,
      sent: t.sent,
      dropped: t.dropped + this.ownDropped,
      failed: t.failed + this.ownFailed,
      lost,
      pending: t.pending,
      bytes: t.bytes,
      errors: t.errors,
    };
  }

  /** Messages the exporter gave up itself, counted by reason. */
  private countOwn(reason: GelfLossReason, count: number): void {
    this.lost[reason] += count;
    if (isDrop(reason)) this.ownDropped += count;
    else this.ownFailed += count;
  }
}

/** The exporter's pieces a {@link BatchExport} works with. */
interface BatchContext {
  transport: GelfTransport;
  toGelfOptions: { host: string; maxBytes: number; budget: FieldBudget };
  log: RateLimitedDiag;
  timeoutMillis: number;
  /** Counts messages the exporter gave up itself (the transport counts its own). */
  countOwn(reason: GelfLossReason, count: number): void;
}

/**
 * One `export` call in progress: maps and hands over its summaries one at a time while the
 * transport is ready, in slices of at most {@link SLICE_MS} with a turn of the event loop
 * between them, counts each message's outcome, and calls back once with what was delivered.
 */
class BatchExport {
  private readonly context: BatchContext;
  private readonly summaries: RequestSummary[];
  private readonly callback: (result: SummaryExportResult) => void;
  private readonly transport: GelfTransport;
  private readonly toGelfOptions: { host: string; maxBytes: number; budget: FieldBudget };
  /**
   * Whether the transport copies what it keeps (ours), so that it can be handed the mapping's
   * buffer instead of a copy of it; a transport of the user's gets payloads it may keep.
   */
  private readonly borrowing: boolean;
  private next = 0;
  /** Handed to the transport, outcome not yet known. */
  private outstanding = 0;
  private fed = false;
  private done = false;
  private sent = 0;
  private dropped = 0;
  private failed = 0;
  /** The first detail seen per loss reason, for the result's error. */
  private readonly details = new Map<GelfLossReason, string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    context: BatchContext,
    summaries: RequestSummary[],
    callback: (result: SummaryExportResult) => void,
  ) {
    this.context = context;
    this.summaries = summaries;
    this.callback = callback;
    this.transport = context.transport;
    this.toGelfOptions = context.toGelfOptions;
    this.borrowing = canBorrow(context.transport);
  }

  start(): void {
    this.timer = setTimeout(this.onDeadline, this.context.timeoutMillis);
    this.timer.unref();
    this.pump();
  }

  /** Ends the batch without sending: every summary is lost for `reason`. */
  giveUp(reason: GelfLossReason, detail: string): void {
    const count = this.summaries.length - this.next;
    this.next = this.summaries.length;
    this.context.countOwn(reason, count);
    this.lose(reason, detail, count);
    this.fed = true;
    this.finishIfDone();
  }

  private readonly pump = (): void => {
    if (this.fed) return;
    const transport = this.transport;
    const summaries = this.summaries;
    const sliceEnd = performance.now() + SLICE_MS;
    let inSlice = 0;
    while (this.next < summaries.length) {
      if (transport.ready === false && transport.onReady !== undefined) {
        transport.onReady(this.pump);
        return;
      }
      // At least one message per slice, so that a slow clock cannot stall the batch.
      if (inSlice++ > 0 && performance.now() > sliceEnd) {
        setImmediate(this.pump);
        return;
      }
      const summary = summaries[this.next++]!;
      let handed: true | undefined;
      try {
        handed = this.borrowing
          ? withGelfPayload(summary, this.toGelfOptions, this.hand)
          : this.handCopy(summary);
      } catch (err) {
        this.context.log.report('warn', 'mapping', 'a summary could not be mapped to GELF', err);
        this.context.countOwn('tooLarge', 1);
        this.lose(
          'tooLarge',
          `a summary could not be mapped to GELF (${(err as Error).message})`,
          1,
        );
        continue;
      }
      if (handed === undefined) {
        this.context.countOwn('tooLarge', 1);
        this.lose('tooLarge', 'a summary does not fit one GELF message even after folding', 1);
      }
    }
    this.fed = true;
    this.finishIfDone();
  };

  /** Maps `summary` to a payload of its own and hands it over (for a transport that keeps it). */
  private handCopy(summary: RequestSummary): true | undefined {
    const payload = toGelfPayload(summary, this.toGelfOptions);
    return payload === undefined ? undefined : this.hand(payload);
  }

  /**
   * Hands one payload to the transport (borrowed when {@link borrowing}); what a transport
   * throws loses that message only.
   */
  private readonly hand = (payload: Buffer): true => {
    this.outstanding++;
    try {
      if (this.borrowing) {
        (this.transport as BorrowingTransport).sendBorrowed(payload, this.onOutcome);
      } else {
        this.transport.send(payload, this.onOutcome);
      }
    } catch (err) {
      // Only a custom transport can throw (ours never do): its message is lost, not retried.
      this.outstanding--;
      this.context.countOwn('network', 1);
      this.lose('network', `the transport threw (${(err as Error).message})`, 1);
    }
    return true;
  };

  private readonly onOutcome = (outcome: GelfOutcome, detail: string | undefined): void => {
    if (this.done) return;
    this.outstanding--;
    if (outcome === 'sent') this.sent++;
    else this.lose(outcome, detail ?? outcome, 1);
    this.finishIfDone();
  };

  private lose(reason: GelfLossReason, detail: string, count: number): void {
    if (count <= 0) return;
    if (isDrop(reason)) this.dropped += count;
    else this.failed += count;
    if (!this.details.has(reason)) this.details.set(reason, detail);
  }

  /**
   * First deadline: stop handing over (the rest fail, `timeout`); second: stop waiting for
   * outcomes (a transport that never answers), so the callback always comes within twice
   * `timeoutMillis`.
   */
  private readonly onDeadline = (): void => {
    const ms = this.context.timeoutMillis;
    if (!this.fed) {
      const rest = this.summaries.length - this.next;
      this.next = this.summaries.length;
      this.fed = true;
      this.context.countOwn('timeout', rest);
      this.lose(
        'timeout',
        `the transport took no more messages within ${ms} ms (Graylog slower than the application, or unreachable)`,
        rest,
      );
      if (this.outstanding > 0) {
        this.timer = setTimeout(this.onDeadline, ms);
        this.timer.unref();
        return;
      }
    } else if (this.outstanding > 0) {
      this.lose('timeout', `no outcome from the transport within ${ms} ms`, this.outstanding);
      this.outstanding = 0;
    }
    this.finishIfDone();
  };

  private finishIfDone(): void {
    if (this.done || !this.fed || this.outstanding > 0) return;
    this.done = true;
    clearTimeout(this.timer);
    const total = this.summaries.length;
    const result: SummaryExportResult =
      this.sent === total
        ? { code: SUCCESS, exported: total, dropped: 0 }
        : {
            code: FAILED,
            exported: this.sent,
            dropped: this.dropped,
            error: new Error([...this.details.values()].join('; ')),
          };
    try {
      this.callback(result);
    } catch (err) {
      diag.error('GelfSummaryExporter: export result callback threw', err);
    }
  }
}
