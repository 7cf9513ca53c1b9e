import { context, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { timeit } from '../src/index.js';
import { parentId, spanId, useSdk } from './helpers.js';

const tick = () => new Promise<void>((r) => setImmediate(r));

describe('timeit nesting', () => {
  const sdk = useSdk();

  it('makes a sync call inside another one its child', () => {
    const inner = timeit(function inner() {
      return trace.getActiveSpan()?.spanContext().spanId;
    });
    const outer = timeit(function outer() {
      return inner();
    });
    const activeInInner = outer();
    expect(parentId(sdk.byName('inner'))).toBe(spanId(sdk.byName('outer')));
    expect(activeInInner).toBe(spanId(sdk.byName('inner')));
    expect(parentId(sdk.byName('outer'))).toBeUndefined();
  });

  it('keeps the parent across await', async () => {
    const inner = timeit(async function inner() {
      await tick();
    });
    const outer = timeit(async function outer() {
      await tick();
      await inner();
      await tick();
      await inner();
    });
    await outer();
    const outerId = spanId(sdk.byName('outer'));
    const inners = sdk.spans().filter((s) => s.name === 'inner');
    expect(inners).toHaveLength(2);
    for (const s of inners) expect(parentId(s)).toBe(outerId);
  });

  it('restores the caller’s context after the call', () => {
    const root = trace.getTracer('t').startSpan('root');
    const wrapped = timeit(function nested() {});
    context.with(trace.setSpan(context.active(), root), () => {
      wrapped();
      expect(trace.getActiveSpan()).toBe(root);
    });
    root.end();
    expect(parentId(sdk.byName('nested'))).toBe(spanId(sdk.byName('root')));
  });

  it('gives each of 100 interleaved concurrent calls its own parent', async () => {
    const leaf = timeit(async function leaf(i: number) {
      await tick();
      return i;
    });
    const request = timeit(async function request(i: number) {
      // Different delays interleave the requests' continuations.
      for (let k = 0; k < (i % 4) + 1; k++) await tick();
      await leaf(i);
      await new Promise((r) => setTimeout(r, i % 3));
      return leaf(i);
    });
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => request(i)));
    expect(results).toEqual(Array.from({ length: 100 }, (_, i) => i));

    const requests = sdk.spans().filter((s) => s.name === 'request');
    const leaves = sdk.spans().filter((s) => s.name === 'leaf');
    expect(requests).toHaveLength(100);
    expect(leaves).toHaveLength(200);
    const requestIds = new Set(requests.map(spanId));
    const childrenPer = new Map<string, number>();
    for (const l of leaves) {
      const p = parentId(l)!;
      expect(requestIds.has(p)).toBe(true);
      childrenPer.set(p, (childrenPer.get(p) ?? 0) + 1);
    }
    expect([...childrenPer.values()].every((n) => n === 2)).toBe(true);
    expect(childrenPer.size).toBe(100);
    for (const r of requests) expect(parentId(r)).toBeUndefined();
  });
});
