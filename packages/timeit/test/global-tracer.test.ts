import { context, trace } from '@opentelemetry/api';
import {
  createSimpleSpanProcessor,
  InMemorySpanExporter,
  resetGlobals,
  setupTracing,
} from '@otel-gelf-internal/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { timeit } from '../src/index.js';

function register() {
  const exporter = new InMemorySpanExporter();
  const tracing = setupTracing({ spanProcessors: [createSimpleSpanProcessor(exporter)] });
  return { exporter, tracing };
}

describe('timeit and the global tracer provider', () => {
  afterEach(() => resetGlobals());

  it('gives spans to a provider registered after wrapping and after earlier calls', async () => {
    resetGlobals();
    const wrapped = timeit(function lateBird(x: number) {
      return x + 1;
    });
    expect(wrapped(1)).toBe(2); // no provider yet: cached as "no SDK"
    const { exporter, tracing } = register();
    expect(wrapped(2)).toBe(3);
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['lateBird']);
    await tracing.shutdown();
  });

  it('follows a provider replaced after trace.disable()', async () => {
    const wrapped = timeit(function swapped() {});
    const first = register();
    wrapped();
    await first.tracing.shutdown(); // disables the global api
    wrapped(); // no provider: no span anywhere, no error
    const second = register();
    wrapped();
    expect(first.exporter.getFinishedSpans()).toHaveLength(0); // its exporter was shut down…
    expect(second.exporter.getFinishedSpans().map((s) => s.name)).toEqual(['swapped']);
    await second.tracing.shutdown();
  });

  describe('with no SDK registered', () => {
    it('returns the same values, this and errors as the bare function', async () => {
      resetGlobals();
      const boom = new Error('no sdk boom');
      const self = { k: 3 };
      function mul(this: { k: number }, x: number) {
        return this.k * x;
      }
      function fails() {
        throw boom;
      }
      async function later(x: number) {
        await null;
        return x;
      }
      async function rejects() {
        throw boom;
      }
      function* gen() {
        yield 1;
        yield 2;
      }
      expect(timeit(mul).call(self, 2)).toBe(mul.call(self, 2));
      expect(() => timeit(fails)()).toThrow(boom);
      await expect(timeit(later)(4)).resolves.toBe(4);
      await expect(timeit(rejects)()).rejects.toBe(boom);
      expect([...timeit(gen)()]).toEqual([...gen()]);
    });

    it('hands back the function’s own promise and generator objects untouched', () => {
      resetGlobals();
      const promise = Promise.resolve(1);
      expect(timeit(() => promise)()).toBe(promise);
      const iterator = [1][Symbol.iterator]();
      expect(timeit(() => iterator)()).toBe(iterator);
    });

    it('leaves the active context as it is', () => {
      resetGlobals();
      const before = context.active();
      expect(timeit(() => context.active())()).toBe(before);
      expect(timeit(() => trace.getActiveSpan())()).toBeUndefined();
    });
  });
});
