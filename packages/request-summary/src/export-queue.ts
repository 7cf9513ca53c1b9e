import { context, diag } from '@opentelemetry/api';
import type { RateLimitedDiag } from './rate-limited-diag.js';
import { suppressTracing } from './suppress-tracing.js';
import {
  ExportResultCode,
  type RequestSummary,
  type SummaryExporter,
  type SummaryExportResult,
} from './types.js';

/** Settings of an {@link ExportQueue}. */
export interface ExportQueueSettings {
  maxQueueSize: number;
  exportBatchSize: number;
  scheduledDelayMillis: number;
  exportTimeoutMillis: number;
}

/**
 * A bounded queue of summaries and the batching that hands them to the exporter, after the
 * OpenTelemetry BatchSpanProcessor: one export in flight at a time, a full batch right away
 * (on the next turn of the event loop, never inside `span.end()`), a partial one after
 * `scheduledDelayMillis`; every export bounded by `exportTimeoutMillis` and run with tracing
 * suppressed. While an export is in flight new summaries wait here, up to `maxQueueSize`.
 * Every summary pushed ends counted once: exported, dropped (queue full, or by the exporter),
 * failed, or still queued/exporting. Nothing here throws or rejects.
 */
export class ExportQueue {
  /** Summaries delivered (per summary, as the exporter reports). */
  exported = 0;
  /** Summaries dropped because the queue was full. */
  droppedQueueFull = 0;
  /** Summaries the exporter refused without trying. */
  droppedByExporter = 0;
  /** Summaries the exporter tried and lost, or whose export failed, threw or timed out. */
  failed = 0;
  /** Export calls that did not deliver their whole batch. */
  exportFailures = 0;

  private readonly exporter: SummaryExporter;
  private readonly settings: ExportQueueSettings;
  private readonly log: RateLimitedDiag;
  private queue: RequestSummary[] = [];
  private inFlight: Promise<void> | undefined = undefined;
  private inFlightCount = 0;
  private timer: ReturnType<typeof setTimeout> | undefined = undefined;
  private immediate: ReturnType<typeof setImmediate> | undefined = undefined;
  /** Once closed, no timers are scheduled: only {@link flush} exports. */
  private closed = false;
  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.immediate = undefined;
    this.exportOne();
  };

  /** What an export waits for first, when anything (the resource's async attributes). */
  private readonly ready: () => Promise<void> | undefined;

  constructor(
    exporter: SummaryExporter,
    settings: ExportQueueSettings,
    log: RateLimitedDiag,
    ready: () => Promise<void> | undefined = () => undefined,
  ) {
    this.exporter = exporter;
    this.settings = settings;
    this.log = log;
    this.ready = ready;
  }

  /** Summaries waiting for export. */
  get length(): number {
    return this.queue.length;
  }

  /** Summaries in the export call in flight. */
  get exporting(): number {
    return this.inFlightCount;
  }

  /** Queues one summary, or drops and counts it when the queue is full. */
  push(summary: RequestSummary): void {
    if (this.queue.length >= this.settings.maxQueueSize) {
      this.droppedQueueFull++;
      this.log.report(
        'warn',
        'queueFull',
        `export queue full (maxQueueSize ${this.settings.maxQueueSize}): summary dropped; the exporter is slower than the application (see the exporter's own warnings for why)`,
      );
      return;
    }
    this.queue.push(summary);
    this.schedule();
  }

  /** Exports everything queued, one batch after another; resolves when the queue is empty. */
  async flush(): Promise<void> {
    while (this.inFlight !== undefined || this.queue.length > 0) {
      if (this.inFlight === undefined) this.exportOne();
      await this.inFlight;
    }
  }

  /** Stops scheduling timers (at shutdown); {@link flush} still exports. */
  close(): void {
    this.closed = true;
    this.clearTimers();
  }

  private schedule(): void {
    if (this.closed || this.inFlight !== undefined || this.queue.length === 0) return;
    if (this.queue.length >= this.settings.exportBatchSize) {
      if (this.immediate !== undefined) return;
      if (this.timer !== undefined) {
        clearTimeout(this.timer);
        this.timer = undefined;
      }
      this.immediate = setImmediate(this.onTimer);
      this.immediate.unref();
      return;
    }
    if (this.timer !== undefined || this.immediate !== undefined) return;
    this.timer = setTimeout(this.onTimer, this.settings.scheduledDelayMillis);
    this.timer.unref();
  }

  private clearTimers(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }

  private exportOne(): void {
    this.clearTimers();
    if (this.inFlight !== undefined || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.settings.exportBatchSize);
    this.inFlightCount = batch.length;
    const ready = this.ready();
    const exported =
      ready === undefined ? this.exportBatch(batch) : ready.then(() => this.exportBatch(batch));
    this.inFlight = exported.then(() => {
      this.inFlight = undefined;
      this.inFlightCount = 0;
      this.schedule();
    });
  }

  /** Counts one export's outcome per summary and reports a loss, with its reason. */
  private account(size: number, result: SummaryExportResult | undefined, reason?: string): void {
    const ok = result !== undefined && result !== null && result.code === ExportResultCode.SUCCESS;
    const exported = clampCount(result?.exported, ok ? size : 0, size);
    const dropped = clampCount(result?.dropped, 0, size - exported);
    const failed = size - exported - dropped;
    this.exported += exported;
    this.droppedByExporter += dropped;
    this.failed += failed;
    if (exported === size) return;
    this.exportFailures++;
    const parts: string[] = [];
    if (dropped > 0) parts.push(`${dropped} of ${size} summaries dropped`);
    if (failed > 0) parts.push(`${failed} of ${size} summaries failed`);
    const why = result?.error?.message || reason || 'the exporter reported FAILED';
    // One kind per reason, so one failing cause does not hide another.
    this.log.report('error', `export:${why}`, `${parts.join(', ')}: ${why}`);
  }

  /** One export call; resolves once its callback fired or it timed out. */
  private exportBatch(batch: RequestSummary[]): Promise<void> {
    return new Promise<void>((resolve) => {
      let settled = false;
      const finish = (result: SummaryExportResult | undefined, reason?: string): void => {
        if (settled) {
          diag.debug('@otel-gelf/request-summary: exporter called back more than once; ignored');
          return;
        }
        settled = true;
        clearTimeout(timeout);
        this.account(batch.length, result, reason);
        resolve();
      };
      const timeout = setTimeout(() => {
        finish(
          undefined,
          `no answer within exportTimeoutMillis (${this.settings.exportTimeoutMillis} ms)`,
        );
      }, this.settings.exportTimeoutMillis);
      // A hung exporter must not keep the process alive; forceFlush has its own deadline.
      timeout.unref();
      try {
        context.with(suppressTracing(context.active()), () => {
          this.exporter.export(batch, (result) => finish(result));
        });
      } catch (error) {
        finish(
          { code: ExportResultCode.FAILED, error: error as Error },
          `export threw: ${(error as Error)?.message}`,
        );
      }
    });
  }
}

/** A count an exporter reported, as an integer within [0, max]; `fallback` when absent. */
function clampCount(value: number | undefined, fallback: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) return Math.min(fallback, max);
  return Math.max(0, Math.min(max, Math.floor(value)));
}
