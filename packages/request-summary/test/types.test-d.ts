import type { ReadableSpan, SpanProcessor } from '@otel-gelf-internal/sdk';
import { describe, expectTypeOf, it } from 'vitest';
import {
  annotateRequest,
  countInRequest,
  ExportResultCode,
  InMemorySummaryExporter,
  RateLimitedDiag,
  type RequestSummary,
  type RequestSummaryProcessor,
  type RequestSummaryProcessorOptions,
  type RequestSummaryProcessorStats,
  type SummaryExporter,
  type SummaryExportResult,
  type SummarySpan,
} from '../src/index.js';

describe('public types', () => {
  it('RequestSummaryProcessor is an SDK SpanProcessor', () => {
    expectTypeOf<RequestSummaryProcessor>().toExtend<SpanProcessor>();
  });

  it('an SDK ReadableSpan is a SummarySpan (operationKey gets SDK spans)', () => {
    expectTypeOf<ReadableSpan>().toExtend<SummarySpan>();
  });

  it('options require only the exporter', () => {
    expectTypeOf({
      exporter: new InMemorySummaryExporter(),
    }).toExtend<RequestSummaryProcessorOptions>();
    expectTypeOf({}).not.toExtend<RequestSummaryProcessorOptions>();
    expectTypeOf<RequestSummaryProcessorOptions['operationKey']>().toEqualTypeOf<
      ((span: SummarySpan) => string | undefined) | undefined
    >();
  });

  it('the exporters fit the SummaryExporter contract', () => {
    expectTypeOf<InMemorySummaryExporter>().toExtend<SummaryExporter>();
    expectTypeOf(ExportResultCode.SUCCESS).toEqualTypeOf<0>();
  });

  it('stats() returns the documented counters', () => {
    expectTypeOf<
      RequestSummaryProcessor['stats']
    >().returns.toEqualTypeOf<RequestSummaryProcessorStats>();
    expectTypeOf<RequestSummaryProcessorStats['droppedRequests']>().toBeNumber();
    for (const k of ['exporting', 'droppedByExporter', 'failed', 'afterShutdown'] as const) {
      expectTypeOf<RequestSummaryProcessorStats[typeof k]>().toBeNumber();
    }
  });

  it('an export result may count per summary; the shared limiter is public', () => {
    expectTypeOf<SummaryExportResult['exported']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<SummaryExportResult['dropped']>().toEqualTypeOf<number | undefined>();
    expectTypeOf(RateLimitedDiag).toBeConstructibleWith('@otel-gelf/graylog: ', 60_000);
  });

  it('annotateRequest takes string, number and boolean values; summaries carry them', () => {
    annotateRequest({ user_id: 'u-1', rows: 3, hit: true, maybe: undefined });
    // @ts-expect-error objects are no annotation values
    annotateRequest({ user: { id: 1 } });
    // @ts-expect-error arrays neither
    annotateRequest({ ids: [1, 2] });
    countInRequest('cache_miss');
    countInRequest('rows_read', 10);
    // @ts-expect-error the amount is a number
    countInRequest('rows_read', '10');
    expectTypeOf<RequestSummary['annotations']>().toEqualTypeOf<
      Record<string, string | number | boolean>
    >();
    expectTypeOf<RequestSummaryProcessorStats['droppedAnnotations']>().toBeNumber();
  });
});
