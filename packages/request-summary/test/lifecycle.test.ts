import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import {
  createSimpleSpanProcessor,
  InMemorySpanExporter,
  setupTracing,
} from '@otel-gelf-internal/sdk';
import { describe, expect, it, vi } from 'vitest';
import {
  ExportResultCode,
  InMemorySummaryExporter,
  isDefaultRequestRoot,
  RequestSummaryProcessor,
  type SummaryExporter,
  type SummaryExportResult,
  type SummarySpan,
} from '../src/index.js';
import { child, runFixture, spyOnDiag, useHarness } from './helpers.js';

const logger = spyOnDiag();
const open = useHarness();

/** An exporter whose `export` does what `behaviour` says, counting calls. */
function brokenExporter(behaviour: (done: (r: SummaryExportResult) => void) => void) {
  const calls = { export: 0, shutdown: 0, forceFlush: 0 };
  const exporter: SummaryExporter = {
    export(_summaries, done) {
      calls.export++;
      behaviour(done);
    },
    forceFlush() {
      calls.forceFlush++;
      return Promise.resolve();
    },
    shutdown() {
      calls.shutdown++;
      return Promise.resolve();
    },
  };
  return { exporter, calls };
}

function malformed(): unknown[] {
  const throwing = {
    name: 'x',
    spanContext() {
      throw new Error('no context');
    },
  };
  const noDuration = {
    name: 'y',
    spanContext: () => ({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 }),
    parentSpanContext: { traceId: 'a'.repeat(32), spanId: 'c'.repeat(16), traceFlags: 1 },
  };
  return [undefined, null, {}, 42, 'span', throwing, noDuration];
}

describe('RequestSummaryProcessor lifecycle', () => {
  describe('onStart / onEnd', () => {
    it('never throw for malformed spans; errors are counted and reported rate-limited', () => {
      const processor = new RequestSummaryProcessor({ exporter: new InMemorySummaryExporter() });
      for (const span of malformed()) {
        expect(() => processor.onStart(span as SummarySpan, ROOT_CONTEXT)).not.toThrow();
        expect(() => processor.onEnd(span as SummarySpan)).not.toThrow();
      }
      expect(processor.stats().processorErrors).toBeGreaterThan(5);
      expect(logger.error).toHaveBeenCalledTimes(1);
      void processor.shutdown();
    });

    it('never throw when operationKey throws; the request still ends and is exported', async () => {
      const h = open({
        operationKey: (span) => {
          if (span.name === 'bad') throw new Error('bad key');
          return span.name === 'skip' ? undefined : `op:${span.name}`;
        },
      });
      const root = child(h.tracer, 'root');
      expect(() => child(h.tracer, 'bad', root).end()).not.toThrow();
      expect(() => child(h.tracer, 'bad', root).end()).not.toThrow();
      child(h.tracer, 'skip', root).end();
      child(h.tracer, 'good', root).end();
      root.end();
      const [summary] = await h.flush();
      expect(summary!.operations.map((o) => [o.name, o.count])).toEqual([['op:good', 1]]);
      expect(h.processor.stats()).toMatchObject({ processorErrors: 2, trackedSpans: 0 });
      expect(logger.error).toHaveBeenCalledTimes(1);
    });

    it('keep the summary when filter throws, and report it', async () => {
      const h = open({
        filter: () => {
          throw new Error('bad filter');
        },
      });
      child(h.tracer, 'root').end();
      expect(await h.flush()).toHaveLength(1);
      expect(h.processor.stats().processorErrors).toBe(1);
      expect(logger.error).toHaveBeenCalledTimes(1);
      const [message, error] = logger.error.mock.calls[0]!;
      expect(message).toBe('@otel-gelf/request-summary: filter threw; summary kept');
      expect((error as Error).message).toBe('bad filter');
    });

    it('do nothing after shutdown', async () => {
      const { exporter, calls } = brokenExporter((done) =>
        done({ code: ExportResultCode.SUCCESS }),
      );
      const processor = new RequestSummaryProcessor({ exporter });
      await processor.shutdown();
      const before = processor.stats();
      const spans = malformed();
      const h = open();
      const live = h.tracer.startSpan('live', { kind: 1 });
      live.end();
      for (const span of [...spans, live]) {
        processor.onStart(span as SummarySpan, ROOT_CONTEXT);
        processor.onEnd(span as SummarySpan);
      }
      await processor.forceFlush();
      // Only ending roots are counted, as requests that came too late.
      expect({ ...processor.stats(), afterShutdown: 0 }).toEqual(before);
      expect(processor.stats().afterShutdown).toBeGreaterThan(0);
      expect(calls.export).toBe(0);
    });

    it('count a request root that ends after shutdown began, once; a root exported as incomplete at shutdown is not counted again', async () => {
      const h = open();
      const openAtShutdown = h.tracer.startSpan('open at shutdown', { kind: 1 });
      const shutdown = h.processor.shutdown();
      const late = h.tracer.startSpan('late', { kind: 1 });
      late.end();
      openAtShutdown.end();
      await shutdown;
      expect(h.processor.stats()).toMatchObject({
        afterShutdown: 1,
        incompleteRequests: 1,
        exported: 1,
      });
    });

    it('do not count again a root refused by maxOpenRequests, nor count a root that is no request, when they end after shutdown began', async () => {
      const h = open({ maxOpenRequests: 1, isRequestRoot: isDefaultRequestRoot });
      const tracked = h.tracer.startSpan('tracked', { kind: 1 });
      const refused = h.tracer.startSpan('refused', { kind: 1 });
      const notARequest = h.tracer.startSpan('dns.lookup', { kind: 0 });
      expect(h.processor.stats()).toMatchObject({ droppedRequests: 1, notRequestRoots: 1 });
      const shutdown = h.processor.shutdown();
      refused.end();
      notARequest.end();
      tracked.end();
      const late = h.tracer.startSpan('late', { kind: 1 });
      late.end();
      await shutdown;
      // Each root counted once: tracked exported as incomplete, refused as dropped, the internal
      // root as no request, and only the one that started after shutdown as afterShutdown.
      expect(h.processor.stats()).toMatchObject({
        droppedRequests: 1,
        notRequestRoots: 1,
        incompleteRequests: 1,
        exported: 1,
        afterShutdown: 1,
      });
    });
  });

  describe('a broken exporter', () => {
    it('that throws: forceFlush resolves, the failure is counted, later exports are tried', async () => {
      const { exporter, calls } = brokenExporter(() => {
        throw new Error('exporter exploded');
      });
      const h = open({ exporter });
      child(h.tracer, 'a').end();
      await expect(h.processor.forceFlush()).resolves.toBeUndefined();
      child(h.tracer, 'b').end();
      await h.processor.forceFlush();
      expect(calls.export).toBe(2);
      expect(h.processor.stats()).toMatchObject({ exportFailures: 2, exported: 0, queued: 0 });
      expect(logger.error).toHaveBeenCalledTimes(1);
    });

    it('that answers FAILED: counted as a failure', async () => {
      const { exporter } = brokenExporter((done) =>
        done({ code: ExportResultCode.FAILED, error: new Error('nope') }),
      );
      const h = open({ exporter });
      child(h.tracer, 'a').end();
      await h.processor.forceFlush();
      expect(h.processor.stats()).toMatchObject({ exportFailures: 1, exported: 0 });
    });

    it('that reports per summary: exported, dropped and failed are counted per summary, with the reason in one diag line', async () => {
      const { exporter } = brokenExporter((done) =>
        done({
          code: ExportResultCode.FAILED,
          exported: 2,
          dropped: 1,
          error: new Error('TCP buffer full (4 MiB), 127.0.0.1:12201 is not reading'),
        }),
      );
      const h = open({ exporter });
      for (const name of ['a', 'b', 'c', 'd']) child(h.tracer, name).end();
      await h.processor.forceFlush();
      expect(h.processor.stats()).toMatchObject({
        exported: 2,
        droppedByExporter: 1,
        failed: 1,
        exportFailures: 1,
        queued: 0,
        exporting: 0,
      });
      expect(logger.error).toHaveBeenCalledWith(
        '@otel-gelf/request-summary: 1 of 4 summaries dropped, 1 of 4 summaries failed: TCP buffer full (4 MiB), 127.0.0.1:12201 is not reading',
      );
    });

    it('that is slow: one export at a time, the rest waits in the queue up to maxQueueSize and is counted beyond', async () => {
      const pending: Array<(r: SummaryExportResult) => void> = [];
      const { exporter, calls } = brokenExporter((done) => pending.push(done));
      const h = open({ exporter, maxQueueSize: 5, exportBatchSize: 2 });
      for (let i = 0; i < 5; i++) child(h.tracer, `r${i}`).end();
      await new Promise((r) => setImmediate(r));
      expect(h.processor.stats()).toMatchObject({ exporting: 2, queued: 3, droppedQueueFull: 0 });
      for (let i = 5; i < 9; i++) child(h.tracer, `r${i}`).end();
      // One batch of 2 in flight, 5 waiting, 2 dropped.
      expect(calls.export).toBe(1);
      expect(h.processor.stats()).toMatchObject({ exporting: 2, queued: 5, droppedQueueFull: 2 });
      const flushed = h.processor.forceFlush();
      while (calls.export < 4 || pending.length > 0) {
        pending.shift()?.({ code: ExportResultCode.SUCCESS });
        await new Promise((r) => setImmediate(r));
      }
      await flushed;
      expect(calls.export).toBe(4);
      expect(h.processor.stats()).toMatchObject({
        exported: 7,
        droppedQueueFull: 2,
        queued: 0,
        exporting: 0,
      });
    });

    it('that calls back twice: the second answer is ignored', async () => {
      const { exporter } = brokenExporter((done) => {
        done({ code: ExportResultCode.SUCCESS });
        done({ code: ExportResultCode.FAILED });
      });
      const h = open({ exporter });
      child(h.tracer, 'a').end();
      await h.processor.forceFlush();
      expect(h.processor.stats()).toMatchObject({ exportFailures: 0, exported: 1 });
    });

    it('that never calls back: forceFlush resolves after exportTimeoutMillis', async () => {
      vi.useFakeTimers();
      const { exporter } = brokenExporter(() => {});
      const h = open({ exporter, exportTimeoutMillis: 200 });
      child(h.tracer, 'a').end();
      let done = false;
      void h.processor.forceFlush().then(() => {
        done = true;
      });
      await vi.advanceTimersByTimeAsync(199);
      expect(done).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect(done).toBe(true);
      expect(h.processor.stats().exportFailures).toBe(1);
    });

    it('whose shutdown hangs: processor.shutdown still resolves within its deadlines', async () => {
      vi.useFakeTimers();
      const exporter: SummaryExporter = {
        export: () => {},
        shutdown: () => new Promise(() => {}),
      };
      const processor = new RequestSummaryProcessor({ exporter, exportTimeoutMillis: 100 });
      let done = false;
      void processor.shutdown().then(() => {
        done = true;
      });
      await vi.advanceTimersByTimeAsync(250);
      expect(done).toBe(true);
    });
  });

  describe('forceFlush', () => {
    it('exports every ended request and flushes the exporter', async () => {
      const { exporter, calls } = brokenExporter((done) =>
        done({ code: ExportResultCode.SUCCESS }),
      );
      const h = open({ exporter, scheduledDelayMillis: 600_000 });
      for (let i = 0; i < 3; i++) child(h.tracer, `r${i}`).end();
      const stillOpen = child(h.tracer, 'open');
      await h.processor.forceFlush();
      expect(h.processor.stats()).toMatchObject({ exported: 3, queued: 0, openRequests: 1 });
      expect(calls.forceFlush).toBe(1);
      stillOpen.end();
    });
  });

  describe('shutdown', () => {
    it('runs once, flushes, exports open requests as incomplete, then shuts the exporter down once', async () => {
      const order: string[] = [];
      const exporter: SummaryExporter = {
        export(summaries, done) {
          for (const s of summaries)
            order.push(`export ${s.name}${s.incomplete ? ' (incomplete)' : ''}`);
          done({ code: ExportResultCode.SUCCESS });
        },
        shutdown() {
          order.push('shutdown');
          return Promise.resolve();
        },
      };
      const h = open({ exporter, scheduledDelayMillis: 600_000 });
      child(h.tracer, 'ended').end();
      child(h.tracer, 'open');
      const first = h.processor.shutdown();
      const second = h.processor.shutdown();
      expect(second).toBe(first);
      expect(h.processor.forceFlush()).toBe(first);
      await first;
      await h.processor.shutdown();
      expect(order).toEqual(['export ended', 'export open (incomplete)', 'shutdown']);
      expect(h.processor.stats()).toMatchObject({
        openRequests: 0,
        trackedSpans: 0,
        incompleteRequests: 1,
      });
    });
  });

  describe('the exporter', () => {
    it('runs with tracing suppressed: spans it starts are not recorded', async () => {
      const spanExporter = new InMemorySpanExporter();
      let exporterSpanRecording: boolean | undefined;
      const exporter: SummaryExporter = {
        export(_summaries, done) {
          const span = trace.getTracer('exporter-io').startSpan('socket write');
          exporterSpanRecording = span.isRecording();
          span.end();
          done({ code: ExportResultCode.SUCCESS });
        },
        shutdown: () => Promise.resolve(),
      };
      const processor = new RequestSummaryProcessor({ exporter });
      const tracing = setupTracing({
        spanProcessors: [processor, createSimpleSpanProcessor(spanExporter)],
      });
      try {
        trace
          .getTracer('app')
          .startActiveSpan('request', { kind: SpanKind.SERVER }, (span) => span.end());
        await processor.forceFlush();
        expect(exporterSpanRecording).toBe(false);
        expect(spanExporter.getFinishedSpans().map((s) => s.name)).toEqual(['request']);
        expect(processor.stats().exported).toBe(1);
      } finally {
        await tracing.shutdown();
      }
    });
  });

  describe('timers', () => {
    it('never keep the process alive (a child process with an open request exits by itself)', async () => {
      const { code, out, err } = await runFixture('keeps-no-process-alive.ts');
      expect(err).toBe('');
      expect(out).toBe('ready 1 open, 1 queued\n');
      expect(code).toBe(0);
    });
  });
});
