import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { child, useHarness } from './helpers.js';

const open = useHarness();

/** A context whose span came over the wire (e.g. a traceparent header). */
const remoteParent = trace.setSpan(
  ROOT_CONTEXT,
  trace.wrapSpanContext({
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags: 1,
    isRemote: true,
  }),
);

const hrMs = (t: [number, number]) => t[0] * 1e3 + t[1] / 1e6;

describe('RequestSummaryProcessor', () => {
  describe('summarising a request', () => {
    it('summarises 1 root + some_slow_stuff + 13 fast_stuff into one summary with exact counts', async () => {
      const h = open();
      const base = Date.now();
      const root = child(h.tracer, 'GET /api', undefined, base);
      const slow = child(h.tracer, 'some_slow_stuff', root, base + 1);
      slow.end(base + 101.25);
      const fastDurations: number[] = [];
      for (let i = 0; i < 13; i++) {
        const d = 0.5 + i * 0.125;
        fastDurations.push(d);
        const s = child(h.tracer, 'fast_stuff', root, base + 200 + i);
        s.end(base + 200 + i + d);
      }
      root.end(base + 250);
      const [summary, ...rest] = await h.flush();
      expect(rest).toHaveLength(0);
      expect(summary!.name).toBe('GET /api');
      expect(summary!.operations.map((o) => [o.name, o.count])).toEqual([
        ['some_slow_stuff', 1],
        ['fast_stuff', 13],
      ]);
      const fast = summary!.operations[1]!;
      expect(fast.minMs).toBeLessThanOrEqual(fast.sumMs / fast.count);
      expect(fast.sumMs / fast.count).toBeLessThanOrEqual(fast.maxMs);
      expect(fast.minMs).toBeCloseTo(0.5, 3);
      expect(fast.maxMs).toBeCloseTo(2, 3);
      expect(fast.lastMs).toHaveLength(5);
      for (const [i, d] of fastDurations.slice(-5).entries())
        expect(fast.lastMs[i]).toBeCloseTo(d, 3);
      // The sum equals the durations the SDK itself reports for the same spans.
      const spans = h.spanExporter.getFinishedSpans();
      for (const op of summary!.operations) {
        const sdkSum = spans
          .filter((s) => s.name === op.name)
          .reduce((acc, s) => acc + hrMs(s.duration as [number, number]), 0);
        expect(op.sumMs).toBeCloseTo(sdkSum, 6);
      }
      expect(summary!.counters).toEqual({
        spans: 14,
        folded: 0,
        openChildren: 0,
        droppedAnnotations: 0,
      });
      expect(summary!.durationMs).toBeCloseTo(250, 3);
      expect(summary!.startTimeMs).toBeCloseTo(base, 0);
      expect(summary!.traceId).toBe(root.spanContext().traceId);
      expect(summary!.spanId).toBe(root.spanContext().spanId);
      expect(summary!.incomplete).toBe(false);
      expect(summary!.resource).toEqual({
        'service.name': 'test-service',
        'service.version': '1.2.3',
      });
      expect(h.processor.stats()).toMatchObject({ openRequests: 0, trackedSpans: 0, exported: 1 });
    });

    it('keeps lastMs in end order, not start order', async () => {
      const h = open({ samples: 3 });
      const base = Date.now();
      const root = child(h.tracer, 'root', undefined, base);
      const a = child(h.tracer, 'op', root, base);
      const b = child(h.tracer, 'op', root, base);
      const c = child(h.tracer, 'op', root, base);
      c.end(base + 3);
      a.end(base + 1);
      b.end(base + 2);
      root.end(base + 4);
      const [summary] = await h.flush();
      expect(summary!.operations[0]!.lastMs.map((x) => Math.round(x))).toEqual([3, 1, 2]);
    });

    it('counts grandchildren toward their request', async () => {
      const h = open();
      const root = child(h.tracer, 'root');
      const mid = child(h.tracer, 'mid', root);
      const leaf = child(h.tracer, 'leaf', mid);
      const leaf2 = child(h.tracer, 'leaf', leaf);
      leaf2.end();
      leaf.end();
      mid.end();
      root.end();
      const [summary] = await h.flush();
      expect(summary!.operations.map((o) => [o.name, o.count])).toEqual([
        ['leaf', 2],
        ['mid', 1],
      ]);
    });

    it('counts a child that outlives its parent (but not the root)', async () => {
      const h = open();
      const root = child(h.tracer, 'root');
      const parent = child(h.tracer, 'parent', root);
      const orphan = child(h.tracer, 'outlives-parent', parent);
      parent.end();
      child(h.tracer, 'started-after-parent-ended', parent).end();
      orphan.end();
      root.end();
      const [summary] = await h.flush();
      expect(summary!.operations.map((o) => [o.name, o.count])).toEqual([
        ['parent', 1],
        ['started-after-parent-ended', 1],
        ['outlives-parent', 1],
      ]);
      expect(h.processor.stats()).toMatchObject({ trackedSpans: 0, lateSpans: 0 });
    });

    it('keeps exact counts for many operations in one request', async () => {
      const h = open();
      const root = child(h.tracer, 'root');
      const expected: Record<string, number> = {};
      for (let i = 0; i < 300; i++) {
        const name = `op-${(i * 7) % 25}`;
        expected[name] = (expected[name] ?? 0) + 1;
        child(h.tracer, name, root).end();
      }
      root.end();
      const [summary] = await h.flush();
      expect(Object.fromEntries(summary!.operations.map((o) => [o.name, o.count]))).toEqual(
        expected,
      );
      expect(summary!.operations).toHaveLength(25);
    });

    it('starts a new request at a span whose parent is remote', async () => {
      const h = open();
      const root = h.tracer.startSpan('server', { kind: SpanKind.SERVER }, remoteParent);
      child(h.tracer, 'work', root).end();
      root.end();
      const [summary] = await h.flush();
      expect(summary!.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
      expect(summary!.kind).toBe(SpanKind.SERVER);
      expect(summary!.operations.map((o) => o.name)).toEqual(['work']);
    });

    it('keeps two requests of the same trace in one process apart', async () => {
      const h = open();
      const r1 = h.tracer.startSpan('one', {}, remoteParent);
      const r2 = h.tracer.startSpan('two', {}, remoteParent);
      child(h.tracer, 'a', r1).end();
      child(h.tracer, 'b', r2).end();
      child(h.tracer, 'b', r2).end();
      r2.end();
      r1.end();
      const summaries = await h.flush();
      expect(summaries.map((s) => [s.name, s.operations.map((o) => [o.name, o.count])])).toEqual([
        ['two', [['b', 2]]],
        ['one', [['a', 1]]],
      ]);
      expect(summaries[0]!.traceId).toBe(summaries[1]!.traceId);
    });

    it('makes a span with no parent its own request with no operations', async () => {
      const h = open();
      child(h.tracer, 'lonely').end();
      const [summary] = await h.flush();
      expect(summary!.name).toBe('lonely');
      expect(summary!.operations).toEqual([]);
      expect(summary!.counters).toEqual({
        spans: 0,
        folded: 0,
        openChildren: 0,
        droppedAnnotations: 0,
      });
    });

    it('treats a span started with root: true as a new request even inside another', async () => {
      const h = open();
      const outer = child(h.tracer, 'outer');
      const inner = h.tracer.startSpan(
        'inner',
        { root: true },
        trace.setSpan(context.active(), outer),
      );
      inner.end();
      outer.end();
      const summaries = await h.flush();
      expect(summaries.map((s) => [s.name, s.operations.length])).toEqual([
        ['inner', 0],
        ['outer', 0],
      ]);
    });
  });

  describe('errors', () => {
    it('counts spans with status ERROR in errors and shows a root ERROR in status', async () => {
      const h = open();
      const root = child(h.tracer, 'root');
      const bad = child(h.tracer, 'op', root);
      bad.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
      bad.end();
      child(h.tracer, 'op', root).end();
      root.setStatus({ code: SpanStatusCode.ERROR, message: 'request failed' });
      root.end();
      const [summary] = await h.flush();
      expect(summary!.operations[0]).toMatchObject({ name: 'op', count: 2, errors: 1 });
      expect(summary!.status).toEqual({ code: 2, message: 'request failed' });
    });
  });
});
