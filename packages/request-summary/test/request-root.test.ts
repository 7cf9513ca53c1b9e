import { SpanKind } from '@opentelemetry/api';
import { timeit } from '@otel-gelf/timeit';
import { setupTracing } from '@otel-gelf-internal/sdk';
import { describe, expect, it } from 'vitest';
import {
  InMemorySummaryExporter,
  isDefaultRequestRoot,
  RequestSummaryProcessor,
} from '../src/index.js';
import { child, useHarness } from './helpers.js';

describe('RequestSummaryProcessor request roots', () => {
  const open = useHarness();

  it('summarises SERVER and CONSUMER roots by default, and counts other roots', async () => {
    const h = open({ isRequestRoot: undefined });
    for (const kind of [SpanKind.SERVER, SpanKind.CONSUMER, SpanKind.INTERNAL, SpanKind.CLIENT]) {
      const root = h.tracer.startSpan(`root-${SpanKind[kind]}`, { kind });
      child(h.tracer, 'work', root).end();
      root.end();
    }
    // a dns.lookup / tcp.connect as auto-instrumentations make them outside any request
    h.tracer.startSpan('dns.lookup', { kind: SpanKind.CLIENT }).end();
    h.tracer.startSpan('tcp.connect').end();
    const summaries = await h.flush();
    expect(summaries.map((s) => s.name).sort()).toEqual(['root-CONSUMER', 'root-SERVER']);
    expect(summaries.every((s) => s.operations[0]?.count === 1)).toBe(true);
    const stats = h.processor.stats();
    expect(stats.notRequestRoots).toBe(4);
    // the children of roots that are no request are not summarised either
    expect(stats.untrackedSpans).toBe(2);
  });

  it('summarises a root started by timeit (a job), whatever its name', async () => {
    const exporter = new InMemorySummaryExporter();
    const processor = new RequestSummaryProcessor({ exporter });
    const tracing = setupTracing({ spanProcessors: [processor] });
    try {
      const step = timeit(function nightlyImport() {
        timeit('parse', () => 1)();
      });
      step();
      await processor.forceFlush();
      const [summary] = exporter.getFinishedSummaries();
      expect(summary?.name).toBe('nightlyImport');
      expect(summary?.operations.map((o) => o.name)).toEqual(['parse']);
      expect(processor.stats().notRequestRoots).toBe(0);
    } finally {
      await tracing.shutdown();
    }
  });

  it('lets isRequestRoot decide', async () => {
    const h = open({ isRequestRoot: (span) => span.name.startsWith('job') });
    h.tracer.startSpan('job-1').end();
    h.tracer.startSpan('GET /', { kind: SpanKind.SERVER }).end();
    const summaries = await h.flush();
    expect(summaries.map((s) => s.name)).toEqual(['job-1']);
    expect(h.processor.stats().notRequestRoots).toBe(1);
  });

  it('counts a throwing isRequestRoot as no, and as a processor error', async () => {
    const t = open({
      isRequestRoot: () => {
        throw new Error('rule broke');
      },
    });
    t.tracer.startSpan('GET /', { kind: SpanKind.SERVER }).end();
    expect(await t.flush()).toEqual([]);
    expect(t.processor.stats()).toMatchObject({ notRequestRoots: 1, processorErrors: 1 });
  });

  it('exports the default rule for use in a rule of your own', () => {
    const span = (kind: number, attributes = {}) => ({ kind, attributes }) as never;
    expect(isDefaultRequestRoot(span(SpanKind.SERVER))).toBe(true);
    expect(isDefaultRequestRoot(span(SpanKind.INTERNAL, { 'otel_gelf.timeit': true }))).toBe(true);
    expect(isDefaultRequestRoot(span(SpanKind.INTERNAL, { 'otel_gelf.timeit': 'yes' }))).toBe(
      false,
    );
    expect(isDefaultRequestRoot(span(SpanKind.PRODUCER))).toBe(false);
  });
});
