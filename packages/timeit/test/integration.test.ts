import { SpanStatusCode } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { timeit } from '../src/index.js';
import { ns, parentId, spanId, useSdk } from './helpers.js';

/** The resolution of the SDK's per-span Date.now() anchor, plus a little. */
const ANCHOR_NS = 1_100_000n;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('timeit with a real SDK provider', () => {
  const sdk = useSdk();

  it('records a request tree with names, parents, status, exception events and timing', async () => {
    const fastStuff = timeit(function fast_stuff(i: number) {
      return i * 2;
    });
    const slowStuff = timeit('slow_stuff', async (ms: number) => {
      await sleep(ms);
      return fastStuff(ms);
    });
    const broken = timeit(async function broken_stuff() {
      await sleep(1);
      throw new TypeError('bad input');
    });
    const handle = timeit({ name: 'GET /api' }, async function handle() {
      let total = 0;
      for (let i = 0; i < 3; i++) total += fastStuff(i);
      total += await slowStuff(5);
      await broken().catch(() => {});
      return total;
    });

    await expect(handle()).resolves.toBe(0 + 2 + 4 + 10);

    const spans = sdk.spans();
    expect(spans.map((s) => s.name).sort()).toEqual(
      [
        'GET /api',
        'broken_stuff',
        'fast_stuff',
        'fast_stuff',
        'fast_stuff',
        'fast_stuff',
        'slow_stuff',
      ].sort(),
    );
    const root = sdk.byName('GET /api');
    const slow = sdk.byName('slow_stuff');
    const failed = sdk.byName('broken_stuff');
    expect(parentId(root)).toBeUndefined();
    expect(parentId(slow)).toBe(spanId(root));
    expect(parentId(failed)).toBe(spanId(root));
    const fasts = spans.filter((s) => s.name === 'fast_stuff');
    expect(fasts.filter((s) => parentId(s) === spanId(root))).toHaveLength(3);
    expect(fasts.filter((s) => parentId(s) === spanId(slow))).toHaveLength(1);
    for (const s of spans) expect(s.spanContext().traceId).toBe(root.spanContext().traceId);

    expect(root.status.code).toBe(SpanStatusCode.UNSET);
    expect(failed.status).toEqual({ code: SpanStatusCode.ERROR, message: 'bad input' });
    expect(failed.events).toHaveLength(1);
    expect(failed.events[0]).toMatchObject({
      name: 'exception',
      attributes: { 'exception.type': 'TypeError', 'exception.message': 'bad input' },
    });

    // Children lie within their parents. The SDK anchors each span's start on Date.now()
    // (whole milliseconds) and measures its duration with performance.now(), so times of two
    // different spans compare only to within a millisecond; durations compare exactly.
    for (const child of spans.filter((s) => s !== root)) {
      const parent = spans.find((s) => spanId(s) === parentId(child))!;
      expect(ns(child.startTime)).toBeGreaterThanOrEqual(ns(parent.startTime) - ANCHOR_NS);
      expect(ns(child.endTime)).toBeLessThanOrEqual(ns(parent.endTime) + ANCHOR_NS);
      expect(ns(child.duration)).toBeLessThanOrEqual(ns(parent.duration));
    }
    expect(ns(slow.endTime) - ns(slow.startTime)).toBeGreaterThanOrEqual(4_000_000n);
    // Every span ended exactly once: one export each.
    expect(new Set(spans.map(spanId)).size).toBe(spans.length);
  });

  it('orders sibling spans by their calls', async () => {
    const step = timeit(async function step(ms: number) {
      await sleep(ms);
    });
    const flow = timeit(async function flow() {
      await step(2);
      await step(1);
    });
    await flow();
    const steps = sdk.spans().filter((s) => s.name === 'step');
    expect(steps).toHaveLength(2);
    expect(ns(steps[1]!.startTime)).toBeGreaterThanOrEqual(ns(steps[0]!.endTime) - ANCHOR_NS);
    expect(ns(steps[0]!.duration) + ns(steps[1]!.duration)).toBeLessThanOrEqual(
      ns(sdk.byName('flow').duration),
    );
  });
});
