import {
  ExportResultCode,
  type RequestSummary,
  type SummaryExporter,
  type SummaryExportResult,
} from './types.js';

/** Options of {@link ConsoleSummaryExporter}. */
export interface ConsoleSummaryExporterOptions {
  /**
   * Where the text goes.
   * @defaultValue `process.stdout`
   */
  stream?: { write(chunk: string): unknown };
}

const STATUS_NAMES = ['UNSET', 'OK', 'ERROR'] as const;

function fmt(ms: number): string {
  return (Math.round(ms * 1000) / 1000).toFixed(3);
}

function pad(text: string, width: number, left = false): string {
  if (text.length >= width) return text;
  const fill = ' '.repeat(width - text.length);
  return left ? text + fill : fill + text;
}

/** The breakdown's kinds as the breakdown line names them. */
const KIND_LABELS = [
  ['db', 'db'],
  ['httpClient', 'http client'],
  ['rpc', 'rpc'],
  ['messaging', 'messaging'],
  ['other', 'other'],
] as const;

/**
 * The breakdown line, e.g. `  self 11.000 ms · db 3 × 53.000 ms · other 4 × 95.000 ms`: the
 * request's own time, then each kind with spans. Empty without self time.
 */
function breakdownLine(summary: RequestSummary): string {
  const breakdown = summary.breakdown;
  if (summary.selfMs === undefined || breakdown === undefined) return '';
  const parts = [`self ${fmt(summary.selfMs)} ms`];
  for (const [key, label] of KIND_LABELS) {
    const kind = breakdown[key];
    if (kind.count > 0) parts.push(`${label} ${kind.count} × ${fmt(kind.ms)} ms`);
  }
  return `  ${parts.join(' · ')}`;
}

/**
 * A readable block of text for one summary: a header line, the breakdown line (the request's own
 * time and the time per kind of work) and a table of its operations.
 */
export function formatSummary(summary: RequestSummary): string {
  const attrs = summary.attributes;
  const status =
    attrs['http.response.status_code'] ??
    attrs['http.status_code'] ??
    STATUS_NAMES[summary.status.code];
  const flags: string[] = [];
  if (summary.status.code === 2) {
    flags.push(`ERROR${summary.status.message ? `: ${summary.status.message}` : ''}`);
  }
  if (summary.incomplete) flags.push('INCOMPLETE');
  if (summary.counters.openChildren > 0)
    flags.push(`${summary.counters.openChildren} open children`);
  if (summary.counters.folded > 0) flags.push(`${summary.counters.folded} folded into _other`);
  const service = summary.resource['service.name'];
  const lines = [
    `${summary.name} ${String(status)} ${fmt(summary.durationMs)} ms` +
      `  [${service === undefined ? '' : `${String(service)} `}trace ${summary.traceId} span ${summary.spanId}]` +
      (flags.length > 0 ? `  ${flags.join(', ')}` : ''),
  ];
  const breakdown = breakdownLine(summary);
  if (breakdown !== '') lines.push(breakdown);
  const annotations = Object.entries(summary.annotations ?? {});
  if (annotations.length > 0) {
    lines.push(
      `  ${annotations.map(([key, value]) => `${key}=${JSON.stringify(value)}`).join(' ')}`,
    );
  }
  if (summary.operations.length > 0) {
    const width = Math.max(9, ...summary.operations.map((op) => op.name.length));
    const self = summary.operations.some((op) => op.selfMs !== undefined);
    lines.push(
      `  ${pad('operation', width, true)}  ${pad('count', 6)}  ${pad('min ms', 10)}  ${pad('mean ms', 10)}  ${pad('max ms', 10)}  ${pad('sum ms', 10)}${self ? `  ${pad('self ms', 10)}` : ''}  ${pad('errors', 6)}  last ms`,
    );
    for (const op of summary.operations) {
      const mean = op.count === 0 ? 0 : op.sumMs / op.count;
      const selfCell = self ? `  ${pad(fmt(op.selfMs ?? 0), 10)}` : '';
      lines.push(
        `  ${pad(op.name, width, true)}  ${pad(String(op.count), 6)}  ${pad(fmt(op.minMs), 10)}  ${pad(fmt(mean), 10)}  ${pad(fmt(op.maxMs), 10)}  ${pad(fmt(op.sumMs), 10)}${selfCell}  ${pad(String(op.errors), 6)}  ${op.lastMs.map(fmt).join(', ')}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Prints each summary as a small table, for development. Writes to `process.stdout` directly
 * (not `console`), one write per batch.
 */
export class ConsoleSummaryExporter implements SummaryExporter {
  private readonly stream: { write(chunk: string): unknown };
  private stopped = false;

  constructor(options: ConsoleSummaryExporterOptions = {}) {
    this.stream = options.stream ?? process.stdout;
  }

  /** Writes the summaries; reports FAILED after `shutdown` or when the write throws. */
  export(summaries: RequestSummary[], resultCallback: (result: SummaryExportResult) => void): void {
    if (this.stopped) {
      resultCallback({
        code: ExportResultCode.FAILED,
        error: new Error('ConsoleSummaryExporter is shut down'),
      });
      return;
    }
    try {
      let text = '';
      for (const summary of summaries) text += formatSummary(summary);
      this.stream.write(text);
    } catch (error) {
      resultCallback({ code: ExportResultCode.FAILED, error: error as Error });
      return;
    }
    resultCallback({ code: ExportResultCode.SUCCESS });
  }

  /** Writes are not buffered here: resolves at once. */
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  /** Later exports report FAILED. */
  shutdown(): Promise<void> {
    this.stopped = true;
    return Promise.resolve();
  }
}
