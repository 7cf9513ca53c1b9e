import { describe, expect, it } from 'vitest';
import { child, spyOnDiag, useHarness } from './helpers.js';

const logger = spyOnDiag();
const open = useHarness();

describe('RequestSummaryProcessor with hostile input', () => {
  describe('operationKey', () => {
    it.each([
      ['a number', () => 42],
      ['an object', () => ({ name: 'x' })],
      ['a boolean', () => true],
      [
        'a throw',
        () => {
          throw new Error('bad key');
        },
      ],
    ])('costs only the span when it returns %s: left out and counted', async (_, bad) => {
      const h = open({
        operationKey: (span) => (span.name === 'bad' ? (bad() as never) : span.name),
      });
      const root = child(h.tracer, 'GET /x');
      child(h.tracer, 'good', root).end();
      child(h.tracer, 'bad', root).end();
      child(h.tracer, 'good', root).end();
      root.end();
      const [summary] = await h.flush();
      expect(summary!.operations.map((o) => [o.name, o.count])).toEqual([['good', 2]]);
      expect(summary!.counters.spans).toBe(2);
      expect(h.processor.stats().processorErrors).toBe(1);
      expect(
        logger.error.mock.calls.some((c) =>
          String(c[0]).includes('operationKey threw or returned'),
        ),
      ).toBe(true);
    });

    it('leaves a span out silently when it returns undefined or null', async () => {
      const h = open({
        operationKey: (span) => (span.name === 'skip' ? (null as never) : undefined),
      });
      const root = child(h.tracer, 'GET /x');
      child(h.tracer, 'skip', root).end();
      child(h.tracer, 'other', root).end();
      root.end();
      const [summary] = await h.flush();
      expect(summary!.operations).toEqual([]);
      expect(h.processor.stats().processorErrors).toBe(0);
    });
  });

  describe('start times', () => {
    it.each([
      ['before 2000', 1000],
      ['after 2100', Date.UTC(2200, 0, 1)],
    ])('starts a summary whose root started %s at the clock, counted', async (_, startMs) => {
      const h = open();
      const before = Date.now();
      // A Date, not a number: the SDK reads a number below performance.now() (1000 once the
      // process has run a second) as a performance timestamp, not as epoch milliseconds.
      const root = h.tracer.startSpan('GET /x', { startTime: new Date(startMs) });
      root.end();
      const [summary] = await h.flush();
      expect(summary!.startTimeMs).toBeGreaterThanOrEqual(before);
      expect(summary!.startTimeMs).toBeLessThanOrEqual(Date.now());
      expect(h.processor.stats().clockFallbacks).toBe(1);
    });

    it('keeps a sane start time as it is', async () => {
      const h = open();
      const startMs = Date.UTC(2026, 0, 1, 12);
      child(h.tracer, 'GET /x', undefined, startMs).end();
      const [summary] = await h.flush();
      expect(summary!.startTimeMs).toBe(startMs);
      expect(h.processor.stats().clockFallbacks).toBe(0);
    });
  });

  it("keeps a user's operation named _other apart from the entry of folded operations", async () => {
    const h = open({ maxOperations: 2 });
    const root = child(h.tracer, 'GET /x');
    for (const name of ['_other', 'a', 'b', 'c', '_other']) child(h.tracer, name, root).end();
    root.end();
    const [summary] = await h.flush();
    expect(summary!.operations.map((o) => [o.name, o.count, o.folded === true])).toEqual([
      ['_other', 2, false],
      ['a', 1, false],
      ['_other', 2, true],
    ]);
    expect(summary!.counters.folded).toBe(2);
  });
});
