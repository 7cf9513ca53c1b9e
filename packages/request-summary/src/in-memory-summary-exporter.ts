import {
  ExportResultCode,
  type RequestSummary,
  type SummaryExporter,
  type SummaryExportResult,
} from './types.js';

/**
 * Keeps exported summaries in memory, for tests and debugging, like OpenTelemetry's
 * `InMemorySpanExporter`: after `shutdown` it holds nothing and answers every export FAILED.
 */
export class InMemorySummaryExporter implements SummaryExporter {
  private finished: RequestSummary[] = [];
  private stopped = false;

  /** Stores the summaries (after `shutdown`, reports FAILED). */
  export(summaries: RequestSummary[], resultCallback: (result: SummaryExportResult) => void): void {
    if (this.stopped) {
      resultCallback({
        code: ExportResultCode.FAILED,
        error: new Error('InMemorySummaryExporter is shut down'),
      });
      return;
    }
    for (const summary of summaries) this.finished.push(summary);
    resultCallback({ code: ExportResultCode.SUCCESS });
  }

  /** The summaries exported so far, oldest first. */
  getFinishedSummaries(): RequestSummary[] {
    return this.finished;
  }

  /** Forgets the summaries exported so far. */
  reset(): void {
    this.finished = [];
  }

  /** Nothing is buffered: resolves at once. */
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  /** Forgets everything and answers later exports FAILED. */
  shutdown(): Promise<void> {
    this.stopped = true;
    this.finished = [];
    return Promise.resolve();
  }
}
