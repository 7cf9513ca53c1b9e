import { context, SpanKind, trace } from '@opentelemetry/api';
import { createTracerProvider } from '@otel-gelf-internal/sdk';
import { describe, expect, it } from 'vitest';
import { RequestSummaryProcessor, type SummaryExporter } from '../src/index.js';
import { runFixture } from './helpers.js';

describe('RequestSummaryProcessor memory', () => {
  it('holds nothing after 100 000 requests, including ones whose children end late', async () => {
    let exported = 0;
    const exporter: SummaryExporter = {
      export(summaries, done) {
        exported += summaries.length;
        done({ code: 0 });
      },
      shutdown: () => Promise.resolve(),
    };
    const processor = new RequestSummaryProcessor({ exporter });
    const provider = createTracerProvider({ spanProcessors: [processor] });
    const tracer = provider.getTracer('memory');
    try {
      let late: Array<{ end(): void }> = [];
      for (let i = 0; i < 100_000; i++) {
        const root = tracer.startSpan('GET /', { kind: SpanKind.SERVER });
        const ctx = trace.setSpan(context.active(), root);
        const a = tracer.startSpan('db', undefined, ctx);
        tracer.startSpan('cache', undefined, trace.setSpan(ctx, a)).end();
        a.end();
        if (i % 10 === 0) late.push(tracer.startSpan('late', undefined, ctx));
        root.end();
        // Let the export queue drain now and then, as an event loop would; the late children
        // end a turn after their roots.
        if (i % 200 === 199) {
          await new Promise((r) => setImmediate(r));
          for (const span of late) span.end();
          late = [];
        }
      }
      await processor.forceFlush();
      expect(processor.stats()).toMatchObject({
        openRequests: 0,
        trackedSpans: 0,
        queued: 0,
        lateSpans: 10_000,
        droppedQueueFull: 0,
        processorErrors: 0,
      });
      expect(exported).toBe(100_000);
    } finally {
      await provider.shutdown();
    }
  });

  it('returns the heap to where it started after 50 000 requests (child process, --expose-gc)', async () => {
    const { code, out, err } = await runFixture('heap-after-requests.ts', ['--expose-gc']);
    expect(err).toBe('');
    expect(code).toBe(0);
    const result = JSON.parse(out) as Record<string, number>;
    expect(result).toMatchObject({ openRequests: 0, trackedSpans: 0, exported: 55_000 });
    // 50 000 leaked requests would be tens of megabytes; allow for V8's own noise.
    expect(result.growth).toBeLessThan(1_000_000);
  });

  it('allocates nothing for a leaf span of an operation already seen (child process, --expose-gc)', async () => {
    const { code, out, err } = await runFixture('leaf-allocation.ts', ['--expose-gc']);
    expect(err).toBe('');
    expect(code).toBe(0);
    const result = JSON.parse(out) as Record<string, Record<string, number>>;
    const shapes = [
      'internal leaf of the root, one after another',
      'database leaf of the root',
      'leaf of an open nested parent',
      'two overlapping leaves of a nested parent, ending in reverse order',
    ];
    for (const mode of ['selfTime', 'noSelfTime']) {
      expect(Object.keys(result[mode]!)).toEqual(shapes);
      // The smallest thing V8 allocates is 12 bytes (a boxed double): one per span would be 12
      // bytes per span, one every third span 4. Below that is V8's own one-off work in a window
      // (up to ~2 bytes per span seen under load).
      for (const shape of shapes) expect(result[mode]![shape], `${mode}: ${shape}`).toBeLessThan(4);
    }
  });
});
