import { SpanStatusCode } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { child, type Harness, useHarness } from './helpers.js';

const open = useHarness();

/** Ends a root of `ms` milliseconds, with an ERROR child when asked. */
function request(h: Harness, name: string, ms: number, childError = false, rootError = false) {
  const base = Date.now();
  const root = child(h.tracer, name, undefined, base);
  const c = child(h.tracer, 'op', root, base);
  if (childError) c.setStatus({ code: SpanStatusCode.ERROR });
  c.end(base + ms / 2);
  if (rootError) root.setStatus({ code: SpanStatusCode.ERROR });
  root.end(base + ms);
}

describe('RequestSummaryProcessor export filter', () => {
  it('exports only requests of at least minDurationMs, and errors whatever their duration', async () => {
    const h = open({ minDurationMs: 100 });
    request(h, 'fast', 10);
    request(h, 'slow', 150);
    request(h, 'fast-child-error', 10, true);
    request(h, 'fast-root-error', 10, false, true);
    const names = (await h.flush()).map((s) => s.name);
    expect(names).toEqual(['slow', 'fast-child-error', 'fast-root-error']);
    expect(h.processor.stats().filteredOut).toBe(1);
  });

  it('exports only requests with an error when errorsOnly', async () => {
    const h = open({ errorsOnly: true });
    request(h, 'ok', 10);
    request(h, 'child-error', 10, true);
    request(h, 'root-error', 10, false, true);
    expect((await h.flush()).map((s) => s.name)).toEqual(['child-error', 'root-error']);
    expect(h.processor.stats().filteredOut).toBe(1);
  });

  it('exports about sampleRatio of the requests, chosen by trace id, and every error', async () => {
    const h = open({ sampleRatio: 0.25 });
    for (let i = 0; i < 400; i++) request(h, 'ok', 1);
    for (let i = 0; i < 20; i++) request(h, 'error', 1, true);
    const summaries = await h.flush();
    const ok = summaries.filter((s) => s.name === 'ok');
    expect(summaries.filter((s) => s.name === 'error')).toHaveLength(20);
    // Binomial(400, 0.25): mean 100, sd 8.7; the bounds are > 5 sd away.
    expect(ok.length).toBeGreaterThan(55);
    expect(ok.length).toBeLessThan(145);
    for (const s of ok)
      expect(Number.parseInt(s.traceId.slice(-8), 16)).toBeLessThan(0.25 * 2 ** 32);
  });

  it('exports nothing but errors with sampleRatio 0', async () => {
    const h = open({ sampleRatio: 0 });
    for (let i = 0; i < 20; i++) request(h, 'ok', 1);
    request(h, 'error', 1, false, true);
    expect((await h.flush()).map((s) => s.name)).toEqual(['error']);
  });

  it('gives filter(summary) the last word', async () => {
    const h = open({ filter: (s) => s.operations.some((o) => o.maxMs > 20) });
    request(h, 'short-op', 10);
    request(h, 'long-op', 100);
    expect((await h.flush()).map((s) => s.name)).toEqual(['long-op']);
    expect(h.processor.stats().filteredOut).toBe(1);
  });
});
