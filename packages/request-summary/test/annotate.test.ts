import { setTimeout as sleep } from 'node:timers/promises';
import { context, ROOT_CONTEXT, type Span, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager, createTracerProvider } from '@otel-gelf-internal/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registry } from '../src/annotation-registry.js';
import {
  annotateRequest,
  countInRequest,
  InMemorySummaryExporter,
  RequestSummaryProcessor,
} from '../src/index.js';
import { runFixture, setup, useHarness } from './helpers.js';

beforeEach(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterEach(() => {
  context.disable();
});

describe('annotateRequest', () => {
  const open = useHarness();

  it('adds values from the root, a child and a grandchild across awaits; the last write wins', async () => {
    const h = open();
    await h.tracer.startActiveSpan('GET /users', async (root: Span) => {
      annotateRequest({ route_kind: 'users', user_id: 'anonymous' });
      await h.tracer.startActiveSpan('auth', async (auth: Span) => {
        await sleep(1);
        annotateRequest({ user_id: 'u-17', admin: false });
        await h.tracer.startActiveSpan('db.query', async (q: Span) => {
          await null;
          annotateRequest({ rows: 3 });
          q.end();
        });
        auth.end();
      });
      root.end();
    });
    const [summary] = await h.flush();
    expect(summary!.annotations).toEqual({
      route_kind: 'users',
      user_id: 'u-17',
      admin: false,
      rows: 3,
    });
    // In the order the keys were first set.
    expect(Object.keys(summary!.annotations)).toEqual(['route_kind', 'user_id', 'admin', 'rows']);
    expect(summary!.counters.droppedAnnotations).toBe(0);
  });

  it('gives every summary an empty object when nothing was annotated', async () => {
    const h = open();
    h.tracer.startActiveSpan('GET /', (root: Span) => root.end());
    const [summary] = await h.flush();
    expect(summary!.annotations).toEqual({});
  });

  it('is accepted after the root ended while the request waits for its open children', async () => {
    const h = open();
    let child: Span | undefined;
    h.tracer.startActiveSpan('GET /', (root: Span) => {
      child = h.tracer.startSpan('handler');
      root.end();
    });
    context.with(trace.setSpan(ROOT_CONTEXT, child!), () => annotateRequest({ late: 'yes' }));
    child!.end();
    const [summary] = await h.flush();
    expect(summary!.annotations).toEqual({ late: 'yes' });
  });

  it('refuses values that are not strings, finite numbers or booleans, and counts them', async () => {
    const h = open();
    h.tracer.startActiveSpan('GET /', (root: Span) => {
      annotateRequest({
        ok: 'x',
        object: { a: 1 } as never,
        array: [1, 2] as never,
        nothing: null as never,
        missing: undefined,
        nan: Number.NaN,
        inf: Number.POSITIVE_INFINITY,
        big: 10n as never,
        fn: (() => 1) as never,
        zero: -0,
      });
      root.end();
    });
    const [summary] = await h.flush();
    expect(summary!.annotations).toEqual({ ok: 'x', zero: 0 });
    expect(Object.is(summary!.annotations.zero, 0)).toBe(true);
    expect(summary!.counters.droppedAnnotations).toBe(8);
    expect(h.processor.stats().droppedAnnotations).toBe(8);
  });

  it('refuses an empty key, a key over 128 characters and __proto__', async () => {
    const h = open();
    h.tracer.startActiveSpan('GET /', (root: Span) => {
      annotateRequest({ '': 1, ['k'.repeat(129)]: 1, ['k'.repeat(128)]: 2 });
      annotateRequest(JSON.parse('{"__proto__": "polluted"}'));
      root.end();
    });
    const [summary] = await h.flush();
    expect(summary!.annotations).toEqual({ ['k'.repeat(128)]: 2 });
    expect(Object.getPrototypeOf(summary!.annotations)).toBe(Object.prototype);
    expect(summary!.counters.droppedAnnotations).toBe(3);
  });

  it('keeps at most maxAnnotations keys; rewriting a kept key still works', async () => {
    const h = open({ maxAnnotations: 3 });
    h.tracer.startActiveSpan('GET /', (root: Span) => {
      annotateRequest({ a: 1, b: 2, c: 3, d: 4 });
      countInRequest('e');
      annotateRequest({ a: 10 });
      countInRequest('b', 5);
      root.end();
    });
    const [summary] = await h.flush();
    expect(summary!.annotations).toEqual({ a: 10, b: 7, c: 3 });
    expect(summary!.counters.droppedAnnotations).toBe(2);
    expect(h.processor.stats().droppedAnnotations).toBe(2);
  });

  it('is off with maxAnnotations 0', async () => {
    const h = open({ maxAnnotations: 0 });
    h.tracer.startActiveSpan('GET /', (root: Span) => {
      annotateRequest({ a: 1 });
      countInRequest('b');
      root.end();
    });
    const [summary] = await h.flush();
    expect(summary!.annotations).toEqual({});
    expect(summary!.counters.droppedAnnotations).toBe(2);
  });

  it('cuts strings at maxAnnotationLength, never inside a surrogate pair, and counts the cuts', async () => {
    const h = open({ maxAnnotationLength: 4 });
    h.tracer.startActiveSpan('GET /', (root: Span) => {
      annotateRequest({ plain: 'abcdefgh', emoji: 'abc😀def', short: 'abcd' });
      root.end();
    });
    const [summary] = await h.flush();
    expect(summary!.annotations).toEqual({ plain: 'abcd', emoji: 'abc', short: 'abcd' });
    expect(h.processor.stats().cutAnnotations).toBe(2);
    expect(summary!.counters.droppedAnnotations).toBe(0);
  });

  it('does nothing, and never throws, outside a request, with bad arguments, or for an untracked root', async () => {
    const h = open();
    expect(() => annotateRequest({ a: 1 })).not.toThrow();
    expect(() => countInRequest('a')).not.toThrow();
    h.tracer.startActiveSpan('GET /', (root: Span) => {
      expect(() => annotateRequest(null as never)).not.toThrow();
      expect(() => annotateRequest('user' as never)).not.toThrow();
      expect(() => countInRequest(undefined as never)).not.toThrow();
      root.end();
    });
    // A span of another provider (the processor never saw it) is no request of this processor.
    const other = setup();
    other.tracer.startActiveSpan('elsewhere', (root: Span) => {
      annotateRequest({ stray: 1 });
      root.end();
    });
    const [summary] = await h.flush();
    expect(summary!.annotations).toEqual({});
    // Only countInRequest(undefined) reached the request (a bad key); the others are no objects.
    expect(summary!.counters.droppedAnnotations).toBe(1);
    const [stray] = await other.flush();
    expect(stray!.annotations).toEqual({ stray: 1 });
    await other.close();
  });

  it('does nothing after the request ended or the processor shut down', async () => {
    const h = open();
    let root: Span | undefined;
    h.tracer.startActiveSpan('GET /', (r: Span) => {
      root = r;
      r.end();
    });
    context.with(trace.setSpan(ROOT_CONTEXT, root!), () => annotateRequest({ after: 1 }));
    const [summary] = await h.flush();
    expect(summary!.annotations).toEqual({});
    const registered = registry.targets.length;
    expect(registered).toBeGreaterThan(0);
    await h.processor.shutdown();
    expect(registry.targets.length).toBe(registered - 1);
    expect(() =>
      context.with(trace.setSpan(ROOT_CONTEXT, root!), () => annotateRequest({ after: 2 })),
    ).not.toThrow();
  });

  it('reaches every processor that tracks the request, and no other', async () => {
    const first = new InMemorySummaryExporter();
    const second = new InMemorySummaryExporter();
    const provider = createTracerProvider({
      spanProcessors: [
        new RequestSummaryProcessor({ exporter: first }),
        new RequestSummaryProcessor({ exporter: second }),
      ],
    });
    const tracer = provider.getTracer('two');
    // A processor of another provider, with a request open at the same time.
    const other = setup();
    const otherRoot = other.tracer.startSpan('other request', { kind: SpanKind.SERVER });
    tracer.startActiveSpan('GET /both', { kind: SpanKind.SERVER }, (root: Span) => {
      annotateRequest({ who: 'both' });
      root.end();
    });
    otherRoot.end();
    await provider.forceFlush();
    expect(first.getFinishedSummaries().map((s) => s.annotations)).toEqual([{ who: 'both' }]);
    expect(second.getFinishedSummaries().map((s) => s.annotations)).toEqual([{ who: 'both' }]);
    const [unrelated] = await other.flush();
    expect(unrelated!.annotations).toEqual({});
    await Promise.all([provider.shutdown(), other.close()]);
  });
});

describe('annotateRequest with the package loaded twice', () => {
  it('reaches the processors of the ESM copy and of the CommonJS copy alike', async () => {
    const { code, out, err } = await runFixture('two-copies.ts');
    expect(err).toBe('');
    expect(code).toBe(0);
    const annotations = { from_esm: 1, from_cjs: 2, count: 7 };
    expect(JSON.parse(out)).toEqual({
      distinctCopies: true,
      esm: [annotations],
      cjs: [annotations],
    });
  });
});

describe('countInRequest', () => {
  const open = useHarness();

  it('sums over the request from anywhere in it, 1 by default', async () => {
    const h = open();
    await h.tracer.startActiveSpan('GET /', async (root: Span) => {
      countInRequest('cache_miss');
      await Promise.all(
        [1, 2, 3].map((i) =>
          h.tracer.startActiveSpan(`load-${i}`, async (s: Span) => {
            await sleep(i);
            countInRequest('rows_read', 10 * i);
            countInRequest('cache_miss');
            s.end();
          }),
        ),
      );
      root.end();
    });
    const [summary] = await h.flush();
    expect(summary!.annotations).toEqual({ cache_miss: 4, rows_read: 60 });
  });

  it('refuses a count on a key holding a string or boolean, and a non-finite amount', async () => {
    const h = open();
    h.tracer.startActiveSpan('GET /', (root: Span) => {
      annotateRequest({ user: 'u-1', flag: true });
      countInRequest('user');
      countInRequest('flag', 2);
      countInRequest('n', Number.NaN);
      countInRequest('n', '2' as never);
      countInRequest('n', 2.5);
      root.end();
    });
    const [summary] = await h.flush();
    expect(summary!.annotations).toEqual({ user: 'u-1', flag: true, n: 2.5 });
    expect(summary!.counters.droppedAnnotations).toBe(4);
  });
});

describe('copyAnnotationsToRootSpan', () => {
  const open = useHarness();

  it('sets the stored values on the open root span as attributes when on', async () => {
    const h = open({ copyAnnotationsToRootSpan: true, maxAnnotationLength: 3 });
    await h.tracer.startActiveSpan('GET /', async (root: Span) => {
      await h.tracer.startActiveSpan('deep', async (s: Span) => {
        annotateRequest({ user_id: 'u-17', bad: {} as never });
        countInRequest('hits');
        countInRequest('hits');
        s.end();
      });
      root.end();
    });
    const [summary] = await h.flush();
    expect(summary!.annotations).toEqual({ user_id: 'u-1', hits: 2 });
    const rootSpan = h.spanExporter.getFinishedSpans().find((s) => s.name === 'GET /')!;
    expect(rootSpan.attributes).toMatchObject({ user_id: 'u-1', hits: 2 });
    expect(rootSpan.attributes).not.toHaveProperty('bad');
  });

  it('leaves the root span alone by default', async () => {
    const h = open();
    h.tracer.startActiveSpan('GET /', (root: Span) => {
      annotateRequest({ user_id: 'u-17' });
      root.end();
    });
    await h.flush();
    const rootSpan = h.spanExporter.getFinishedSpans().find((s) => s.name === 'GET /')!;
    expect(rootSpan.attributes).not.toHaveProperty('user_id');
  });
});
