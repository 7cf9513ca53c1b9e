import { type Attributes, context, type Span, SpanKind, trace } from '@opentelemetry/api';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RequestBreakdown } from '../src/index.js';
import { at, useHarness } from './helpers.js';
import { expectedTimes, type OracleSpan } from './self-time-oracle.js';

const open = useHarness();

/** The kinds a generated span can be, with the attributes that make it so. */
const KINDS: ReadonlyArray<[keyof RequestBreakdown, SpanKind, Attributes]> = [
  ['other', SpanKind.INTERNAL, {}],
  ['db', SpanKind.CLIENT, { 'db.system.name': 'postgresql' }],
  ['httpClient', SpanKind.CLIENT, { 'http.request.method': 'GET' }],
  ['rpc', SpanKind.CLIENT, { 'rpc.system': 'grpc' }],
  ['messaging', SpanKind.PRODUCER, { 'messaging.system': 'kafka' }],
];

interface Planned {
  name: string;
  /** Index of the parent in the plan, -1 for the root. */
  parent: number;
  start: number;
  end: number;
  kind: number;
}

/**
 * A request of up to 14 spans: each starts within its parent's interval (and before the root
 * ends), lasts 0–100 ms on a quarter-millisecond grid and may outlive its parent and the root.
 */
const plans = fc
  .record({
    rootMs: fc.integer({ min: 0, max: 400 }),
    shift: fc.integer({ min: 0, max: 3 }),
    spans: fc.array(
      fc.record({
        parent: fc.nat(),
        at: fc.integer({ min: 0, max: 1000 }),
        duration: fc.integer({ min: 0, max: 400 }),
        kind: fc.integer({ min: 0, max: KINDS.length - 1 }),
      }),
      { maxLength: 14 },
    ),
  })
  .map(({ rootMs, shift, spans }) => {
    const rootEnd = rootMs / 4;
    const planned: Planned[] = [];
    for (const [i, g] of spans.entries()) {
      const parent = (g.parent % (i + 1)) - 1;
      const from = parent < 0 ? 0 : planned[parent]!.start;
      const to = Math.min(parent < 0 ? rootEnd : planned[parent]!.end, rootEnd);
      const start = from + Math.floor(((to - from) * 4 * g.at) / 1000) / 4;
      planned.push({
        name: `${KINDS[g.kind]![0]}${i % 3}`,
        parent,
        start,
        end: start + g.duration / 4,
        kind: g.kind,
      });
    }
    return { rootEnd, planned, shift: shift / 4 };
  });

/**
 * How a clock stamps a span that truly ran from `start` to `end`: as they are, or as the SDK does
 * (its start is `Date.now()`, whole milliseconds; its end that start plus the precise duration).
 */
const CLOCKS = {
  exact: (start: number, end: number) => [start, end] as const,
  sdk: (start: number, end: number) =>
    [Math.floor(start), Math.floor(start) + end - start] as const,
};

describe('RequestSummaryProcessor self time (property)', () => {
  it.each(Object.keys(CLOCKS) as Array<keyof typeof CLOCKS>)(
    'matches self times and the breakdown computed from the whole tree by sorting (%s clock)',
    async (clock) => {
      const h = open();
      const stamp = CLOCKS[clock];
      await fc.assert(
        fc.asyncProperty(plans, async ({ rootEnd, planned: truth, shift }) => {
          h.exporter.reset();
          // What the spans say: the true times (shifted off the millisecond grid) as stamped.
          const [rootStart, rootStamp] = stamp(shift, rootEnd + shift);
          const planned = truth.map((p) => {
            const [start, end] = stamp(p.start + shift, p.end + shift);
            return { ...p, start, end };
          });
          // Started and ended in the order of the true times; at one instant starts first (a
          // parent before its children), so that a zero-length span starts before it ends.
          const events: Array<{ t: number; type: 0 | 1; i: number }> = [
            { t: 0, type: 0, i: -1 },
            { t: rootEnd, type: 1, i: -1 },
          ];
          truth.forEach((p, i) => {
            events.push({ t: p.start, type: 0, i }, { t: p.end, type: 1, i });
          });
          events.sort((a, b) => a.t - b.t || a.type - b.type || a.i - b.i);
          const stamped = (type: 0 | 1, i: number) => {
            const p = i < 0 ? { start: rootStart, end: rootStamp } : planned[i]!;
            return type === 0 ? p.start : p.end;
          };
          const spans = new Map<number, Span>();
          for (const { type, i } of events) {
            const t = stamped(type, i);
            if (type === 1) {
              spans.get(i)!.end(at(t));
              continue;
            }
            const plan = planned[i];
            const parent = plan === undefined ? undefined : spans.get(plan.parent);
            const ctx =
              parent === undefined ? context.active() : trace.setSpan(context.active(), parent);
            const [, kind, attributes] =
              plan === undefined ? [0, SpanKind.SERVER, {}] : KINDS[plan.kind]!;
            spans.set(
              i,
              h.tracer.startSpan(
                plan?.name ?? 'GET /',
                { startTime: at(t), kind, attributes },
                ctx,
              ),
            );
          }
          const summaries = await h.flush();
          expect(summaries).toHaveLength(1);
          const summary = summaries[0]!;

          const expected = expectedTimes([
            {
              id: 'root',
              parent: undefined,
              name: 'GET /',
              start: rootStart,
              end: rootStamp,
              kind: 'other',
            },
            ...planned.map(
              (p, i): OracleSpan => ({
                id: String(i),
                parent: p.parent < 0 ? 'root' : String(p.parent),
                name: p.name,
                start: p.start,
                end: p.end,
                kind: KINDS[p.kind]![0],
              }),
            ),
          ]);
          expect(summary.selfMs).toBeCloseTo(expected.selfMs, 6);
          expect(summary.operations.map((o) => o.name).sort()).toEqual(
            [...expected.operations.keys()].sort(),
          );
          for (const o of summary.operations) {
            expect(o.selfMs).toBeCloseTo(expected.operations.get(o.name)!, 6);
          }
          for (const [name, want] of Object.entries(expected.breakdown)) {
            const got = summary.breakdown![name as keyof RequestBreakdown];
            expect(got.count).toBe(want.count);
            expect(got.ms).toBeCloseTo(want.ms, 6);
          }
          // What the self times add up to: the duration, plus what ran in parallel or outside.
          const total = summary.operations.reduce((sum, o) => sum + o.selfMs!, summary.selfMs!);
          expect(total).toBeCloseTo(summary.durationMs + expected.excessMs, 6);
        }),
        { numRuns: 400 },
      );
    },
  );
});
