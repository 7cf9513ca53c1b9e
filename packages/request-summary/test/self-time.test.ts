import {
  type Attributes,
  context,
  type Span,
  SpanKind,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import type { RequestSummary } from '../src/index.js';
import { MAX_PARENTS_PER_REQUEST } from '../src/request-summary-processor.js';
import { at, useHarness } from './helpers.js';

const open = useHarness();

interface SpanSpec {
  kind?: SpanKind;
  attributes?: Attributes;
}

/** Starts `name` at `startMs` under `parent` (a root without one). */
function start(
  tracer: Tracer,
  name: string,
  parent: Span | undefined,
  startMs: number,
  spec: SpanSpec = {},
): Span {
  const ctx = parent === undefined ? context.active() : trace.setSpan(context.active(), parent);
  return tracer.startSpan(
    name,
    { startTime: at(startMs), kind: spec.kind ?? SpanKind.INTERNAL, attributes: spec.attributes },
    ctx,
  );
}

function op(summary: RequestSummary, name: string) {
  const found = summary.operations.find((o) => o.name === name);
  if (found === undefined) throw new Error(`no operation ${name}`);
  return found;
}

/** Self times by operation name, rounded to the nanosecond against float noise. */
function selfTimes(summary: RequestSummary): Record<string, number> {
  const out: Record<string, number> = { '(request)': round(summary.selfMs!) };
  for (const o of summary.operations) out[o.name] = round(o.selfMs!);
  return out;
}

const round = (ms: number) => Math.round(ms * 1e6) / 1e6;

const DB = { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'postgresql' } };

describe('RequestSummaryProcessor self time', () => {
  it('subtracts nested and overlapping direct children once, grandchildren only from their parent', async () => {
    const h = open();
    //  root  0 ─────────────────────────────────────────── 100
    //  a       10 ───────────── 50
    //  a1         15 ── 25
    //  a2            20 ────── 40
    //  b                  30 ──────────── 70
    //  c                                      80 ── 90
    const root = start(h.tracer, 'GET /', undefined, 0, { kind: SpanKind.SERVER });
    const a = start(h.tracer, 'a', root, 10);
    const a1 = start(h.tracer, 'a1', a, 15);
    const a2 = start(h.tracer, 'a2', a, 20);
    a1.end(at(25));
    const b = start(h.tracer, 'b', root, 30);
    a2.end(at(40));
    a.end(at(50));
    b.end(at(70));
    const c = start(h.tracer, 'c', root, 80);
    c.end(at(90));
    root.end(at(100));
    const [summary] = await h.flush();
    // root: 100 − |[10,70] ∪ [80,90]| = 30; a: 40 − |[15,40]| = 15.
    expect(selfTimes(summary!)).toEqual({ '(request)': 30, a: 15, a1: 10, a2: 20, b: 40, c: 10 });
    expect(summary!.durationMs).toBe(100);
  });

  it('counts a busy interval until the last open child ends, whatever order the children end in', async () => {
    const h = open();
    //  x   10 ──────────── 60        (ends after y, which started later)
    //  y      20 ── 30
    //  z                50 ──── 80   (starts while x is open)
    const root = start(h.tracer, 'GET /', undefined, 0, { kind: SpanKind.SERVER });
    const x = start(h.tracer, 'x', root, 10);
    const y = start(h.tracer, 'y', root, 20);
    y.end(at(30));
    const z = start(h.tracer, 'z', root, 50);
    x.end(at(60));
    z.end(at(80));
    root.end(at(100));
    const [summary] = await h.flush();
    expect(selfTimes(summary!)).toEqual({ '(request)': 30, x: 50, y: 10, z: 30 });
  });

  it('clips children that end after their parent at the parent end (async children)', async () => {
    const h = open();
    //  root 0 ──────────────────────── 100
    //  p      10 ──── 40
    //  q         20 ────────── 70       (child of p, outlives it)
    //  r                          90 ─────── 130   (child of root, outlives it)
    const root = start(h.tracer, 'GET /', undefined, 0, { kind: SpanKind.SERVER });
    const p = start(h.tracer, 'p', root, 10);
    const q = start(h.tracer, 'q', p, 20);
    p.end(at(40));
    q.end(at(70));
    const r = start(h.tracer, 'r', root, 90);
    root.end(at(100));
    r.end(at(130));
    const [summary] = await h.flush();
    expect(summary!.counters).toMatchObject({ spans: 3, openChildren: 0 });
    // root: 100 − |[10,40] ∪ [90,100]| = 60; p: 30 − |[20,40]| = 10; q, r: leaves.
    expect(selfTimes(summary!)).toEqual({ '(request)': 60, p: 10, q: 50, r: 40 });
    // other work: [10,70] ∪ [90,100] within the request.
    expect(summary!.breakdown!.other).toEqual({ count: 3, ms: 70 });
  });

  it('gives zero-length spans and their parents exact self times', async () => {
    const h = open();
    const root = start(h.tracer, 'GET /', undefined, 0, { kind: SpanKind.SERVER });
    const z1 = start(h.tracer, 'zero', root, 5);
    z1.end(at(5));
    const p = start(h.tracer, 'empty-parent', root, 6);
    const z2 = start(h.tracer, 'zero', p, 6);
    z2.end(at(6));
    p.end(at(6));
    root.end(at(10));
    const [summary] = await h.flush();
    expect(selfTimes(summary!)).toEqual({ '(request)': 10, zero: 0, 'empty-parent': 0 });
    expect(summary!.breakdown!.other).toEqual({ count: 3, ms: 0 });

    const lone = start(h.tracer, 'GET /zero', undefined, 20, { kind: SpanKind.SERVER });
    start(h.tracer, 'zero', lone, 20).end(at(20));
    lone.end(at(20));
    const [, zero] = await h.flush();
    expect(zero!.durationMs).toBe(0);
    expect(selfTimes(zero!)).toEqual({ '(request)': 0, zero: 0 });
  });

  it('clips children that start before their parent (clock skew) at the parent start', async () => {
    const h = open();
    //  root      0 ─────────────────── 100
    //  early  -20 ─────── 30
    //  p                     40 ──── 60
    //  g                  35 ── 50        (starts before p)
    const root = start(h.tracer, 'GET /', undefined, 0, { kind: SpanKind.SERVER });
    const early = start(h.tracer, 'early', root, -20);
    early.end(at(30));
    const p = start(h.tracer, 'p', root, 40);
    const g = start(h.tracer, 'g', p, 35);
    g.end(at(50));
    p.end(at(60));
    root.end(at(100));
    const [summary] = await h.flush();
    // root: 100 − |[0,30] ∪ [40,60]| = 50; p: 20 − |[40,50]| = 10; a leaf's self time is its
    // whole duration, skew or not.
    expect(selfTimes(summary!)).toEqual({ '(request)': 50, early: 50, p: 10, g: 15 });
    // Within the request, not within a parent: [0,30] ∪ [35,60].
    expect(summary!.breakdown!.other.ms).toBe(55);
  });

  it('stays exact when ends given by hand arrive out of their time order', async () => {
    const h = open();
    //  root 0 ───────────────────────── 100
    //  a      10 ───────── 50               (reported first)
    //  b         20 ── 30                   (reported after a)
    //  c                      60 ─────────────── 120   (reported before the root ends)
    const root = start(h.tracer, 'GET /', undefined, 0, { kind: SpanKind.SERVER });
    const a = start(h.tracer, 'a', root, 10);
    const b = start(h.tracer, 'b', root, 20);
    a.end(at(50));
    b.end(at(30));
    const c = start(h.tracer, 'c', root, 60);
    c.end(at(120));
    root.end(at(100));
    const [summary] = await h.flush();
    // root: 100 − |[10,50] ∪ [60,100]| = 20.
    expect(selfTimes(summary!)).toEqual({ '(request)': 20, a: 40, b: 10, c: 60 });
    expect(summary!.breakdown!.other).toEqual({ count: 3, ms: 80 });
  });

  it('leaves a child of an untracked parent out, and the tracked request exact', async () => {
    const h = open({ maxOpenRequests: 1 });
    const tracked = start(h.tracer, 'GET /tracked', undefined, 0, { kind: SpanKind.SERVER });
    const dropped = start(h.tracer, 'GET /dropped', undefined, 0, { kind: SpanKind.SERVER });
    const stray = start(h.tracer, 'stray', dropped, 10, DB);
    const a = start(h.tracer, 'a', tracked, 20, DB);
    stray.end(at(60));
    a.end(at(30));
    dropped.end(at(70));
    tracked.end(at(100));
    const [summary, ...rest] = await h.flush();
    expect(rest).toHaveLength(0);
    expect(h.processor.stats()).toMatchObject({ droppedRequests: 1, untrackedSpans: 1 });
    expect(selfTimes(summary!)).toEqual({ '(request)': 90, a: 10 });
    expect(summary!.breakdown!.db).toEqual({ count: 1, ms: 10 });
  });

  it('gives a parent past MAX_PARENTS_PER_REQUEST its whole duration (its children are untracked)', async () => {
    const h = open();
    const root = start(h.tracer, 'GET /', undefined, 0, { kind: SpanKind.SERVER });
    for (let i = 1; i < MAX_PARENTS_PER_REQUEST; i++) {
      const parent = start(h.tracer, 'parent', root, 1);
      start(h.tracer, 'leaf', parent, 1).end(at(2));
      parent.end(at(3));
    }
    const past = start(h.tracer, 'past', root, 10);
    start(h.tracer, 'unseen', past, 11).end(at(19));
    past.end(at(20));
    root.end(at(100));
    const [summary] = await h.flush();
    expect(h.processor.stats().untrackedSpans).toBe(1);
    expect(round(op(summary!, 'parent').selfMs!)).toBe(MAX_PARENTS_PER_REQUEST - 1);
    expect(op(summary!, 'past').selfMs).toBe(10);
    expect(round(summary!.selfMs!)).toBe(100 - 2 - 10);
  });

  it('still counts a span left out by operationKey as its parent’s child and in its kind', async () => {
    const h = open({ operationKey: (s) => (s.name === 'hidden' ? undefined : s.name) });
    const root = start(h.tracer, 'GET /', undefined, 0, { kind: SpanKind.SERVER });
    start(h.tracer, 'hidden', root, 10, DB).end(at(40));
    root.end(at(100));
    const [summary] = await h.flush();
    expect(summary!.operations).toEqual([]);
    expect(summary!.selfMs).toBe(70);
    expect(summary!.breakdown!.db).toEqual({ count: 1, ms: 30 });
  });

  it('stays exact over a long request: 124 spans, two levels, two kinds, a long call open across', async () => {
    const h = open();
    const root = start(h.tracer, 'GET /', undefined, 0, { kind: SpanKind.SERVER });
    //  root 0 ──────────────────────────────────────────────────── 1000
    //  long     5 ──────────────────────────── 600 (db, open over most of the flushes)
    //  handler i (i = 0..2) at 10 + 300 i, 250 ms long, 40 calls of 5 ms every 6 ms
    const long = start(h.tracer, 'long', root, 5, DB);
    for (let i = 0; i < 3; i++) {
      const from = 10 + 300 * i;
      const handler = start(h.tracer, 'handler', root, from);
      for (let j = 0; j < 40; j++) {
        const callAt = from + 5 + 6 * j;
        start(h.tracer, j % 4 === 0 ? 'query' : 'call', handler, callAt, j % 4 === 0 ? DB : {}).end(
          at(callAt + 5),
        );
      }
      handler.end(at(from + 250));
      // In time order, as a real span ends: between the second handler and the third.
      if (i === 1) long.end(at(600));
    }
    root.end(at(1000));
    const [summary] = await h.flush();
    // Each handler: 250 − 40 × 5 = 50 of its own. The root: [5, 600] ∪ [610, 860] = 845 covered.
    expect(selfTimes(summary!)).toEqual({
      '(request)': 155,
      long: 595,
      handler: 150,
      call: 90 * 5,
      query: 30 * 5,
    });
    expect(op(summary!, 'call').count).toBe(90);
    expect(op(summary!, 'call').lastMs).toEqual([5, 5, 5, 5, 5]);
    expect(op(summary!, 'handler').count).toBe(3);
    expect(summary!.counters.spans).toBe(1 + 3 + 120);
    // db: [5, 600] ∪ the queries of the third handler (610 + 5 + 24 k, 5 ms each, 10 of them).
    expect(summary!.breakdown!.db).toEqual({ count: 31, ms: 595 + 50 });
    // other: the handlers [10, 260] ∪ [310, 560] ∪ [610, 860] (their calls lie inside).
    expect(summary!.breakdown!.other).toEqual({ count: 3 + 90, ms: 750 });
  });

  it('computes nothing of it with selfTime: false', async () => {
    const h = open({ selfTime: false });
    const root = start(h.tracer, 'GET /', undefined, 0, { kind: SpanKind.SERVER });
    start(h.tracer, 'a', root, 10).end(at(40));
    root.end(at(100));
    const [summary] = await h.flush();
    expect(summary!.selfMs).toBeUndefined();
    expect(summary!.breakdown).toBeUndefined();
    expect(op(summary!, 'a')).not.toHaveProperty('selfMs');
    expect(op(summary!, 'a').sumMs).toBe(30);
  });
});

describe('RequestSummaryProcessor breakdown by kind of work', () => {
  it('tells kinds apart by span kind and semantic conventions, overlaps once', async () => {
    const h = open();
    const root = start(h.tracer, 'GET /', undefined, 0, { kind: SpanKind.SERVER });
    const spans: Array<[string, number, number, SpanSpec]> = [
      ['pg.query', 10, 30, DB],
      ['pg.query', 20, 40, DB],
      // The older convention's name, and a database span that is not a CLIENT span.
      ['mysql', 50, 55, { kind: SpanKind.INTERNAL, attributes: { 'db.system': 'mysql' } }],
      ['GET', 60, 70, { kind: SpanKind.CLIENT, attributes: { 'http.request.method': 'GET' } }],
      ['POST', 65, 75, { kind: SpanKind.CLIENT, attributes: { 'http.method': 'POST' } }],
      // A server-side HTTP span inside a request is not an outgoing request.
      ['inner', 76, 77, { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET' } }],
      ['grpc', 80, 84, { kind: SpanKind.CLIENT, attributes: { 'rpc.system': 'grpc' } }],
      ['publish', 85, 86, { kind: SpanKind.PRODUCER, attributes: { 'messaging.system': 'kafka' } }],
      ['send', 86, 88, { kind: SpanKind.CLIENT, attributes: { 'messaging.system': 'rabbitmq' } }],
      ['dns', 90, 91, { kind: SpanKind.CLIENT }],
      ['work', 0, 100, {}],
    ];
    // Started and ended in time order, as a clock would make them.
    const events: Array<[number, () => void]> = [];
    const running: Span[] = [];
    spans.forEach(([name, s, e, spec], i) => {
      events.push([s, () => (running[i] = start(h.tracer, name, root, s, spec))]);
      events.push([e, () => running[i]!.end(at(e))]);
    });
    events.sort((x, y) => x[0] - y[0]);
    for (const [, run] of events) run();
    root.end(at(100));
    const [summary] = await h.flush();
    expect(summary!.breakdown).toEqual({
      db: { count: 3, ms: 35 },
      httpClient: { count: 2, ms: 15 },
      rpc: { count: 1, ms: 4 },
      messaging: { count: 2, ms: 3 },
      other: { count: 3, ms: 100 },
    });
  });

  it('follows a flat request of one kind of work until a span of another kind or depth comes', async () => {
    const h = open();
    const root = start(h.tracer, 'GET /', undefined, 0, { kind: SpanKind.SERVER });
    // Root children of one kind, one after another, overlapping, then one of another kind, then
    // one of the first kind under a child: each kind keeps its own union.
    start(h.tracer, 'a', root, 0).end(at(10));
    start(h.tracer, 'a', root, 8).end(at(12));
    const b = start(h.tracer, 'b', root, 20);
    b.end(at(30));
    start(h.tracer, 'q', root, 25, DB).end(at(40));
    start(h.tracer, 'a', b, 22).end(at(35));
    start(h.tracer, 'a', root, 50).end(at(55));
    root.end(at(100));
    const [summary] = await h.flush();
    expect(summary!.breakdown).toEqual({
      db: { count: 1, ms: 15 },
      httpClient: { count: 0, ms: 0 },
      rpc: { count: 0, ms: 0 },
      messaging: { count: 0, ms: 0 },
      other: { count: 5, ms: 32 },
    });
    expect(round(summary!.selfMs!)).toBe(100 - 12 - 20 - 5);
  });

  it('counts a span in one kind only when the attributes deciding it are set after it started', async () => {
    const h = open();
    const root = start(h.tracer, 'GET /', undefined, 0, { kind: SpanKind.SERVER });
    const x = start(h.tracer, 'x', root, 0);
    // Another span starts in between, so that the kind is read again when x ends.
    start(h.tracer, 'y', root, 5).end(at(6));
    x.setAttribute('db.system.name', 'postgresql');
    x.end(at(10));
    root.end(at(20));
    const [summary] = await h.flush();
    const { db, other } = summary!.breakdown!;
    expect(db.count + other.count).toBe(2);
    expect(summary!.counters.spans).toBe(2);
  });
});
