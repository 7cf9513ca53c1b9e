import { describe, expect, it, vi } from 'vitest';
import { MAX_PARENTS_PER_REQUEST } from '../src/request-summary-processor.js';
import { child, spyOnDiag, useHarness } from './helpers.js';

const logger = spyOnDiag();
const open = useHarness();
const warnings = (text: string) =>
  logger.warn.mock.calls.filter((c) => String(c[0]).includes(text)).length;

describe('RequestSummaryProcessor bounds', () => {
  describe('maxOpenRequests', () => {
    it('skips and counts new roots past maxOpenRequests, warning once per interval', async () => {
      vi.useFakeTimers();
      const h = open({ maxOpenRequests: 2 });
      const roots = Array.from({ length: 5 }, (_, i) => child(h.tracer, `r${i}`));
      // Children of a skipped root are not summarised anywhere.
      child(h.tracer, 'orphan', roots[4]).end();
      expect(h.processor.stats()).toMatchObject({
        openRequests: 2,
        droppedRequests: 3,
        untrackedSpans: 1,
      });
      expect(warnings('maxOpenRequests')).toBe(1);
      for (const r of roots) r.end();
      const summaries = await h.flush();
      expect(summaries.map((s) => s.name)).toEqual(['r0', 'r1']);

      // Room again: a new root is tracked.
      child(h.tracer, 'r5').end();
      expect(h.processor.stats().droppedRequests).toBe(3);

      // A minute later the warning may be given again, once, with the count in between.
      const more = [child(h.tracer, 'x'), child(h.tracer, 'y'), child(h.tracer, 'z')];
      expect(warnings('maxOpenRequests')).toBe(1);
      vi.advanceTimersByTime(60_001);
      more.push(child(h.tracer, 'w'));
      expect(warnings('maxOpenRequests')).toBe(2);
      expect(logger.warn.mock.calls.at(-1)![0]).toContain('3 more since the last report');
      expect(h.processor.stats().droppedRequests).toBe(5);
      for (const r of more) r.end();
    });
  });

  describe('maxOperations', () => {
    it('folds operations past maxOperations into _other', async () => {
      const h = open({ maxOperations: 2 });
      const root = child(h.tracer, 'root');
      for (const name of ['a', 'b', 'c', 'd', 'c', 'a']) child(h.tracer, name, root).end();
      root.end();
      const [summary] = await h.flush();
      expect(summary!.operations.map((o) => [o.name, o.count])).toEqual([
        ['a', 2],
        ['b', 1],
        ['_other', 3],
      ]);
      expect(summary!.counters).toEqual({
        spans: 6,
        folded: 3,
        openChildren: 0,
        droppedAnnotations: 0,
      });
      expect(h.processor.stats().foldedSpans).toBe(3);
      expect(warnings('maxOperations')).toBe(1);
    });
  });

  describe('samples', () => {
    it('keeps no samples when samples is 0 and all counts still add up', async () => {
      const h = open({ samples: 0 });
      const root = child(h.tracer, 'root');
      for (let i = 0; i < 3; i++) child(h.tracer, 'op', root).end();
      root.end();
      const [summary] = await h.flush();
      expect(summary!.operations[0]).toMatchObject({ count: 3, lastMs: [] });
    });
  });

  describe('requestTimeoutMs', () => {
    it('exports a request open longer than requestTimeoutMs as incomplete and forgets it', async () => {
      vi.useFakeTimers();
      const h = open({ requestTimeoutMs: 1000 });
      const root = child(h.tracer, 'slow');
      child(h.tracer, 'done', root).end();
      const open1 = child(h.tracer, 'never-ends', root);
      vi.advanceTimersByTime(900);
      expect(h.processor.stats()).toMatchObject({ openRequests: 1, incompleteRequests: 0 });
      vi.advanceTimersByTime(400);
      expect(h.processor.stats()).toMatchObject({
        openRequests: 0,
        trackedSpans: 0,
        incompleteRequests: 1,
      });
      expect(warnings('requestTimeoutMs')).toBe(1);
      const [summary, ...rest] = await h.flush();
      expect(rest).toEqual([]);
      expect(summary).toMatchObject({ name: 'slow', incomplete: true });
      expect(summary!.counters.openChildren).toBe(1);
      expect(summary!.operations.map((o) => o.name)).toEqual(['done']);
      // Their ends, later, change nothing.
      open1.end();
      root.end();
      expect(await h.flush()).toHaveLength(1);
      expect(h.processor.stats().processorErrors).toBe(0);
    });

    it('forgets children that never end after their root ended', () => {
      vi.useFakeTimers();
      const h = open({ requestTimeoutMs: 1000 });
      const root = child(h.tracer, 'root');
      const leaked = child(h.tracer, 'leaked', root);
      child(h.tracer, 'leaked-grandchild', leaked);
      root.end();
      vi.advanceTimersByTime(100);
      expect(h.processor.stats()).toMatchObject({ openRequests: 0, trackedSpans: 2 });
      vi.advanceTimersByTime(1200);
      expect(h.processor.stats().trackedSpans).toBe(0);
    });
  });

  describe('parents per request', () => {
    it('tracks the children of at most MAX_PARENTS_PER_REQUEST parents per request', async () => {
      const h = open();
      const root = child(h.tracer, 'root');
      const chain = [root];
      for (let i = 0; i < MAX_PARENTS_PER_REQUEST + 5; i++)
        chain.push(child(h.tracer, 'nested', chain.at(-1)));
      expect(h.processor.stats().trackedSpans).toBe(MAX_PARENTS_PER_REQUEST);
      for (const span of chain.slice(1).reverse()) span.end();
      root.end();
      const [summary] = await h.flush();
      // The root and 999 registered parents: the first 1000 spans of the chain are counted.
      expect(summary!.operations[0]!.count).toBe(MAX_PARENTS_PER_REQUEST);
      expect(h.processor.stats()).toMatchObject({ untrackedSpans: 5, trackedSpans: 0 });
    });
  });

  describe('ended requests with open children', () => {
    it('keeps at most maxOpenRequests of them registered, forgetting the oldest first', async () => {
      const h = open({ maxOpenRequests: 2 });
      const leaked = [];
      for (let i = 0; i < 5; i++) {
        const root = child(h.tracer, `r${i}`);
        leaked.push(child(h.tracer, 'never-ends', root));
        root.end();
        await new Promise((r) => setImmediate(r));
      }
      expect(h.processor.stats()).toMatchObject({ openRequests: 0, trackedSpans: 2 });
      // The two newest are still known: their children's ends are late; the others untracked.
      for (const span of leaked) span.end();
      expect(h.processor.stats()).toMatchObject({ lateSpans: 2, trackedSpans: 0 });
      expect(await h.flush()).toHaveLength(5);
    });
  });

  describe('late spans', () => {
    it('counts a child that ends in the same turn as its root (waitForOpenChildren)', async () => {
      const h = open();
      const root = child(h.tracer, 'root');
      const a = child(h.tracer, 'a', root);
      const b = child(h.tracer, 'b', root);
      root.end();
      a.end();
      await new Promise<void>((r) => process.nextTick(r));
      child(h.tracer, 'c', b).end();
      b.end();
      const [summary] = await h.flush();
      expect(summary!.operations.map((o) => o.name)).toEqual(['a', 'c', 'b']);
      expect(summary!.counters.openChildren).toBe(0);
      expect(h.processor.stats()).toMatchObject({ lateSpans: 0, trackedSpans: 0 });
    });

    it('lets at most maxOpenRequests requests wait for their children in one turn', async () => {
      const h = open({ maxOpenRequests: 2 });
      // Each root ends before the next starts, so all three are tracked; their children wait.
      const children = Array.from({ length: 3 }, (_, i) => {
        const root = child(h.tracer, `r${i}`);
        const a = child(h.tracer, 'a', root);
        root.end();
        return a;
      });
      for (const a of children) a.end();
      const summaries = await h.flush();
      expect(summaries.map((s) => [s.name, s.operations.length, s.counters.openChildren])).toEqual([
        ['r2', 0, 1],
        ['r0', 1, 0],
        ['r1', 1, 0],
      ]);
      expect(h.processor.stats()).toMatchObject({ lateSpans: 1, trackedSpans: 0 });
    });

    it('takes the summary when the root ends if waitForOpenChildren is false', async () => {
      const h = open({ waitForOpenChildren: false });
      const root = child(h.tracer, 'root');
      const a = child(h.tracer, 'a', root);
      root.end();
      a.end();
      const [summary] = await h.flush();
      expect(summary!.operations).toEqual([]);
      expect(summary!.counters.openChildren).toBe(1);
      expect(h.processor.stats().lateSpans).toBe(1);
    });

    it('counts a child that ends in a microtask queued after its root ended', async () => {
      const h = open();
      const root = child(h.tracer, 'root');
      const a = child(h.tracer, 'a', root);
      const b = child(h.tracer, 'b', root);
      await new Promise<void>((done) => {
        root.end();
        queueMicrotask(() => a.end());
        void Promise.resolve()
          .then(() => undefined)
          .then(() => {
            b.end();
            done();
          });
      });
      const [summary] = await h.flush();
      expect(summary!.operations.map((o) => o.name)).toEqual(['a', 'b']);
      expect(summary!.counters.openChildren).toBe(0);
      expect(h.processor.stats().lateSpans).toBe(0);
    });

    // The wait ends in the processor's setImmediate, queued when the root ends: from a timer
    // callback (or an I/O one, as HTTP roots end), that runs before any timer or immediate the
    // code queues afterwards, however short.
    it.each([
      ['setTimeout(0)', (f: () => void) => setTimeout(f, 0)],
      ['setImmediate', (f: () => void) => setImmediate(f)],
    ])(
      'counts as late a child that ends in a %s queued right after its root ended',
      async (_, later) => {
        const h = open();
        const root = child(h.tracer, 'root');
        const a = child(h.tracer, 'a', root);
        await new Promise<void>((done) => {
          setTimeout(() => {
            root.end();
            later(() => {
              a.end();
              done();
            });
          }, 0);
        });
        const [summary] = await h.flush();
        expect(summary!.operations).toEqual([]);
        expect(summary!.counters.openChildren).toBe(1);
        expect(h.processor.stats()).toMatchObject({ lateSpans: 1, trackedSpans: 0 });
      },
    );

    it('counts and drops a child that ends after its root, past the waiting turn', async () => {
      const h = open();
      const root = child(h.tracer, 'root');
      const late = child(h.tracer, 'late', root);
      root.end();
      await new Promise((r) => setImmediate(r));
      const grandchild = child(h.tracer, 'started-late', late);
      late.end();
      grandchild.end();
      const [summary] = await h.flush();
      expect(summary!.operations).toEqual([]);
      expect(summary!.counters.openChildren).toBe(1);
      expect(h.processor.stats()).toMatchObject({ lateSpans: 2, trackedSpans: 0 });
      expect(logger.debug.mock.calls.some((c) => String(c[0]).includes('after its request'))).toBe(
        true,
      );
    });
  });

  describe('maxQueueSize', () => {
    it('drops and counts summaries past maxQueueSize, warning once', async () => {
      const h = open({ maxQueueSize: 3 });
      for (let i = 0; i < 5; i++) child(h.tracer, `r${i}`).end();
      expect(h.processor.stats()).toMatchObject({ queued: 3, droppedQueueFull: 2 });
      expect(warnings('queue full')).toBe(1);
      const summaries = await h.flush();
      expect(summaries.map((s) => s.name)).toEqual(['r0', 'r1', 'r2']);
      expect(h.processor.stats()).toMatchObject({ queued: 0, exported: 3 });
    });
  });

  describe('batching', () => {
    it('exports a partial batch after scheduledDelayMillis', async () => {
      vi.useFakeTimers();
      const h = open({ scheduledDelayMillis: 1000 });
      child(h.tracer, 'r').end();
      await vi.advanceTimersByTimeAsync(999);
      expect(h.exporter.getFinishedSummaries()).toHaveLength(0);
      await vi.advanceTimersByTimeAsync(1);
      expect(h.exporter.getFinishedSummaries()).toHaveLength(1);
    });

    it('exports a full batch without waiting for the delay, in batches of exportBatchSize', async () => {
      const h = open({ scheduledDelayMillis: 600_000, exportBatchSize: 2 });
      const sizes: number[] = [];
      const original = h.exporter.export.bind(h.exporter);
      h.exporter.export = (batch, done) => {
        sizes.push(batch.length);
        original(batch, done);
      };
      for (let i = 0; i < 5; i++) child(h.tracer, `r${i}`).end();
      // The export never runs inside span.end().
      expect(sizes).toEqual([]);
      await vi.waitFor(() => expect(h.exporter.getFinishedSummaries()).toHaveLength(4));
      expect(sizes).toEqual([2, 2]);
      await h.processor.forceFlush();
      expect(sizes).toEqual([2, 2, 1]);
    });
  });

  describe('options', () => {
    it('clamps invalid options with one diag.warn each and keeps working', async () => {
      const h = open({
        samples: -3,
        maxOperations: 0,
        maxQueueSize: 10,
        exportBatchSize: 50,
        sampleRatio: 7,
        requestTimeoutMs: Number.NaN,
        operationKey: 'name' as never,
      });
      expect(logger.warn).toHaveBeenCalledTimes(6);
      for (const name of [
        'samples',
        'maxOperations',
        'exportBatchSize',
        'sampleRatio',
        'requestTimeoutMs',
        'operationKey',
      ]) {
        expect(warnings(`invalid option ${name}: `)).toBe(1);
      }
      const root = child(h.tracer, 'root');
      child(h.tracer, 'a', root).end();
      child(h.tracer, 'b', root).end();
      root.end();
      const [summary] = await h.flush();
      expect(summary!.operations.map((o) => [o.name, o.count, o.lastMs.length])).toEqual([
        ['a', 1, 0],
        ['_other', 1, 0],
      ]);
    });
  });
});
