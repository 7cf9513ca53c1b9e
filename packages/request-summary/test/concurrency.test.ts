import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT_CONTEXT, type Span, SpanKind, trace } from '@opentelemetry/api';
import { setupTracing } from '@otel-gelf-internal/sdk';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  annotateRequest,
  countInRequest,
  InMemorySummaryExporter,
  RequestSummaryProcessor,
} from '../src/index.js';

const NAMES = ['db', 'cache', 'render', 'auth', 'fetch'];

/** A small deterministic generator, so that a failure can be replayed. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('RequestSummaryProcessor under concurrency', () => {
  it('keeps 1 000 interleaved async requests apart: each summary has exactly its own counts', async () => {
    const exporter = new InMemorySummaryExporter();
    const processor = new RequestSummaryProcessor({ exporter, maxQueueSize: 5000 });
    const tracing = setupTracing({ spanProcessors: [processor] });
    const tracer = trace.getTracer('concurrency');
    const random = lcg(20261125);
    const expected = new Map<string, Record<string, number>>();

    async function work(
      name: string,
      depth: number,
      counts: Record<string, number>,
    ): Promise<void> {
      await tracer.startActiveSpan(name, async (span: Span) => {
        counts[name] = (counts[name] ?? 0) + 1;
        await sleep(Math.floor(random() * 3));
        // Some operations have children of their own: grandchildren count too.
        if (depth < 2 && random() < 0.2) {
          await work(NAMES[Math.floor(random() * NAMES.length)]!, depth + 1, counts);
        }
        span.end();
      });
    }

    async function request(i: number): Promise<void> {
      const counts: Record<string, number> = {};
      expected.set(`req-${i}`, counts);
      const children = Math.floor(random() * 12);
      await tracer.startActiveSpan(`req-${i}`, { kind: SpanKind.SERVER }, async (root: Span) => {
        const pending: Promise<void>[] = [];
        for (let c = 0; c < children; c++) {
          pending.push(work(NAMES[Math.floor(random() * NAMES.length)]!, 1, counts));
          if (random() < 0.5) await sleep(0);
        }
        await Promise.all(pending);
        root.end();
      });
    }

    try {
      await Promise.all(Array.from({ length: 1000 }, (_, i) => request(i)));
      await processor.forceFlush();
      const summaries = exporter.getFinishedSummaries();
      expect(summaries).toHaveLength(1000);
      for (const s of summaries) {
        const got = Object.fromEntries(s.operations.map((o) => [o.name, o.count]));
        expect(got, s.name).toEqual(expected.get(s.name));
        expect(s.counters.spans).toBe(Object.values(got).reduce((a, b) => a + b, 0));
      }
      expect(new Set(summaries.map((s) => s.spanId)).size).toBe(1000);
      expect(processor.stats()).toMatchObject({
        openRequests: 0,
        trackedSpans: 0,
        lateSpans: 0,
        untrackedSpans: 0,
        droppedQueueFull: 0,
      });
    } finally {
      await tracing.shutdown();
    }
  });

  it('gives each of 1 000 interleaved requests its own annotations, set across awaits, and no other', async () => {
    const exporter = new InMemorySummaryExporter();
    const processor = new RequestSummaryProcessor({ exporter, maxQueueSize: 5000 });
    const tracing = setupTracing({ spanProcessors: [processor] });
    const tracer = trace.getTracer('annotations');
    const random = lcg(20261201);

    /** A service call a few awaits deep, in a span of its own or not, that annotates. */
    async function lookUpUser(i: number, depth: number): Promise<void> {
      await sleep(Math.floor(random() * 3));
      if (depth > 0) {
        await tracer.startActiveSpan(`load-${depth}`, async (s: Span) => {
          await lookUpUser(i, depth - 1);
          s.end();
        });
        return;
      }
      annotateRequest({ user_id: `u-${i}` });
      await null;
      countInRequest('lookups');
    }

    async function request(i: number): Promise<void> {
      await tracer.startActiveSpan(`req-${i}`, { kind: SpanKind.SERVER }, async (root: Span) => {
        annotateRequest({ request_no: i, user_id: 'anonymous' });
        await sleep(Math.floor(random() * 2));
        const calls = 1 + (i % 3);
        const pending: Promise<void>[] = [];
        for (let c = 0; c < calls; c++) pending.push(lookUpUser(i, c));
        await Promise.all(pending);
        root.end();
      });
    }

    try {
      await Promise.all(Array.from({ length: 1000 }, (_, i) => request(i)));
      await processor.forceFlush();
      const summaries = exporter.getFinishedSummaries();
      expect(summaries).toHaveLength(1000);
      for (const s of summaries) {
        const i = Number(s.name.slice(4));
        expect(s.annotations, s.name).toEqual({
          request_no: i,
          user_id: `u-${i}`,
          lookups: 1 + (i % 3),
        });
      }
      expect(processor.stats()).toMatchObject({ droppedAnnotations: 0, openRequests: 0 });
    } finally {
      await tracing.shutdown();
    }
  });

  it('summarises any interleaving of starts and ends like a naive model (property)', async () => {
    // A request's children as (name, startOrder, endOrder): whatever order spans start and end
    // in, the summary holds the model's counts and the last durations in end order.
    const childArb = fc.record({
      name: fc.constantFrom(...NAMES),
      ms: fc.double({ min: 0, max: 1000, noNaN: true }),
      endKey: fc.nat(),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(childArb, { maxLength: 30 }),
        fc.integer({ min: 0, max: 6 }),
        async (kids, samples) => {
          const exporter = new InMemorySummaryExporter();
          const processor = new RequestSummaryProcessor({ exporter, samples });
          const tracing = setupTracing({ spanProcessors: [processor] });
          try {
            const tracer = trace.getTracer('property');
            const base = Date.now();
            const root = tracer.startSpan('root', { kind: SpanKind.SERVER, startTime: base });
            const parent = trace.setSpan(ROOT_CONTEXT, root);
            const started = kids.map((k) => ({
              k,
              span: tracer.startSpan(k.name, { startTime: base }, parent),
            }));
            const ended = [...started].sort((a, b) => a.k.endKey - b.k.endKey);
            for (const { k, span } of ended) span.end(base + k.ms);
            root.end(base + 2000);
            await processor.forceFlush();
            const [summary] = exporter.getFinishedSummaries();
            const model = new Map<string, number[]>();
            for (const { k } of ended) model.set(k.name, [...(model.get(k.name) ?? []), k.ms]);
            expect(summary!.operations.map((o) => o.name)).toEqual([...model.keys()]);
            for (const op of summary!.operations) {
              const ds = model.get(op.name)!;
              expect(op.count).toBe(ds.length);
              expect(op.minMs).toBeCloseTo(Math.min(...ds), 2);
              expect(op.maxMs).toBeCloseTo(Math.max(...ds), 2);
              expect(op.sumMs).toBeCloseTo(
                ds.reduce((a, b) => a + b, 0),
                1,
              );
              const last = samples === 0 ? [] : ds.slice(-samples);
              expect(op.lastMs).toHaveLength(last.length);
              for (const [i, d] of last.entries()) expect(op.lastMs[i]).toBeCloseTo(d, 2);
            }
          } finally {
            await tracing.shutdown();
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
