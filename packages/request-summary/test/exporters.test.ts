import { describe, expect, it } from 'vitest';
import {
  ConsoleSummaryExporter,
  ExportResultCode,
  InMemorySummaryExporter,
  type RequestSummary,
  type SummaryExportResult,
} from '../src/index.js';

const summary: RequestSummary = {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  name: 'GET /api',
  kind: 1,
  startTimeMs: 1_764_000_000_000,
  durationMs: 512.3456,
  status: { code: 2, message: 'boom' },
  attributes: { 'http.response.status_code': 500 },
  resource: { 'service.name': 'shop' },
  operations: [
    {
      name: 'fast_stuff',
      count: 13,
      minMs: 0.1,
      maxMs: 0.3,
      sumMs: 2.6,
      lastMs: [0.2, 0.3],
      errors: 1,
    },
  ],
  annotations: { user_id: 'u-42', cache_miss: 2 },
  counters: { spans: 13, folded: 0, openChildren: 2, droppedAnnotations: 0 },
  incomplete: true,
};

function exportOnce(
  exporter: { export: (s: RequestSummary[], cb: (r: SummaryExportResult) => void) => void },
  summaries: RequestSummary[],
): SummaryExportResult[] {
  const results: SummaryExportResult[] = [];
  exporter.export(summaries, (r) => results.push(r));
  return results;
}

describe('InMemorySummaryExporter', () => {
  it('keeps exported summaries until reset, and fails exports after shutdown', async () => {
    const exporter = new InMemorySummaryExporter();
    expect(exportOnce(exporter, [summary, summary])).toEqual([{ code: ExportResultCode.SUCCESS }]);
    expect(exporter.getFinishedSummaries()).toEqual([summary, summary]);
    exporter.reset();
    expect(exporter.getFinishedSummaries()).toEqual([]);
    await exporter.shutdown();
    const [result] = exportOnce(exporter, [summary]);
    expect(result!.code).toBe(ExportResultCode.FAILED);
    expect(exporter.getFinishedSummaries()).toEqual([]);
  });
});

describe('ConsoleSummaryExporter', () => {
  it('writes a readable table per request in one write per batch', () => {
    const writes: string[] = [];
    const exporter = new ConsoleSummaryExporter({
      stream: { write: (c: string) => writes.push(c) },
    });
    expect(exportOnce(exporter, [summary, { ...summary, name: 'POST /x' }])).toEqual([
      { code: ExportResultCode.SUCCESS },
    ]);
    expect(writes).toHaveLength(1);
    const lines = writes[0]!.split('\n');
    expect(lines[0]).toContain('GET /api 500 512.346 ms');
    expect(lines[0]).toContain('trace 0af7651916cd43dd8448eb211c80319c');
    expect(lines[0]).toContain('ERROR: boom');
    expect(lines[0]).toContain('INCOMPLETE');
    expect(lines[0]).toContain('2 open children');
    expect(lines[1]).toBe('  user_id="u-42" cache_miss=2');
    expect(lines[2]).toMatch(
      /operation\s+count\s+min ms\s+mean ms\s+max ms\s+sum ms\s+errors\s+last ms/,
    );
    expect(lines[3]).toMatch(
      /fast_stuff\s+13\s+0\.100\s+0\.200\s+0\.300\s+2\.600\s+1\s+0\.200, 0\.300/,
    );
    expect(writes[0]).toContain('POST /x');
  });

  it('adds a self-time column and the breakdown line when the summary has them', () => {
    const writes: string[] = [];
    const exporter = new ConsoleSummaryExporter({
      stream: { write: (c: string) => writes.push(c) },
    });
    const none = { count: 0, ms: 0 };
    exportOnce(exporter, [
      {
        ...summary,
        selfMs: 11,
        operations: [{ ...summary.operations[0]!, selfMs: 1.25 }],
        breakdown: {
          db: { count: 34, ms: 41.2 },
          httpClient: { count: 1, ms: 5 },
          rpc: none,
          messaging: none,
          other: { count: 13, ms: 2.6 },
        },
      },
    ]);
    const lines = writes[0]!.split('\n');
    expect(lines[1]).toBe(
      '  self 11.000 ms · db 34 × 41.200 ms · http client 1 × 5.000 ms · other 13 × 2.600 ms',
    );
    // Then the annotations line, then the table.
    expect(lines[3]).toMatch(/sum ms\s+self ms\s+errors/);
    expect(lines[4]).toMatch(/2\.600\s+1\.250\s+1\s+0\.200/);
  });

  it('reports FAILED when the stream throws, and after shutdown', async () => {
    const exporter = new ConsoleSummaryExporter({
      stream: {
        write: () => {
          throw new Error('EPIPE');
        },
      },
    });
    expect(exportOnce(exporter, [summary])[0]!.code).toBe(ExportResultCode.FAILED);
    const ok = new ConsoleSummaryExporter({ stream: { write: () => true } });
    await ok.shutdown();
    expect(exportOnce(ok, [summary])[0]!.code).toBe(ExportResultCode.FAILED);
  });
});
