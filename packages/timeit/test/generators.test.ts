import { SpanStatusCode, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { timeit } from '../src/index.js';
import { parentId, spanId, useSdk } from './helpers.js';

describe('timeit with generators', () => {
  const sdk = useSdk();
  const child = timeit(function child() {
    return trace.getActiveSpan();
  });

  describe('sync generators', () => {
    it('keeps the span open until the iteration is done', () => {
      const gen = timeit(function* count(n: number) {
        for (let i = 0; i < n; i++) yield i;
        return 'end';
      })(3);
      expect(gen.next()).toEqual({ value: 0, done: false });
      expect([...sdk.spans()]).toHaveLength(0);
      expect(gen.next().value).toBe(1);
      expect(gen.next().value).toBe(2);
      expect(sdk.spans()).toHaveLength(0);
      expect(gen.next()).toEqual({ value: 'end', done: true });
      expect(sdk.byName('count').status.code).toBe(SpanStatusCode.UNSET);
      expect(gen.next()).toEqual({ value: undefined, done: true });
      expect(sdk.spans()).toHaveLength(1);
    });

    it('works with for…of and spread and looks like a generator', () => {
      const make = timeit(function* letters() {
        yield 'a';
        yield 'b';
      });
      expect([...make()]).toEqual(['a', 'b']);
      const gen = make();
      expect(Object.prototype.toString.call(gen)).toBe('[object Generator]');
      expect(gen[Symbol.iterator]()).toBe(gen);
      expect(sdk.spans()).toHaveLength(1);
    });

    it('ends the span when the consumer breaks out (return())', () => {
      const finalized: string[] = [];
      const gen = timeit(function* endless() {
        try {
          for (let i = 0; ; i++) yield i;
        } finally {
          finalized.push('finally');
        }
      });
      for (const i of gen()) if (i === 2) break;
      expect(finalized).toEqual(['finally']);
      expect(sdk.byName('endless').status.code).toBe(SpanStatusCode.UNSET);
    });

    it('marks the span failed when the body throws, with the same error', () => {
      const boom = new Error('gen boom');
      const gen = timeit(function* breaks() {
        yield 1;
        throw boom;
      })();
      gen.next();
      expect(() => gen.next()).toThrow(boom);
      expect(sdk.byName('breaks').status).toEqual({
        code: SpanStatusCode.ERROR,
        message: 'gen boom',
      });
    });

    it('keeps the span open when the generator catches what throw() sent in', () => {
      const gen = timeit(function* resilient() {
        while (true) {
          try {
            yield 'ok';
          } catch {
            yield 'recovered';
            return;
          }
        }
      })();
      gen.next();
      expect(gen.throw(new Error('x'))).toEqual({ value: 'recovered', done: false });
      expect(sdk.spans()).toHaveLength(0);
      expect(gen.next().done).toBe(true);
      expect(sdk.byName('resilient').status.code).toBe(SpanStatusCode.UNSET);
    });

    it('runs the body inside the span, so calls from it are children', () => {
      const gen = timeit(function* parent() {
        yield child();
        yield child();
      })();
      const active = [...gen];
      const parentSpan = sdk.byName('parent');
      const children = sdk.spans().filter((s) => s.name === 'child');
      expect(children).toHaveLength(2);
      for (const c of children) expect(parentId(c)).toBe(spanId(parentSpan));
      expect(active.every((s) => s !== undefined)).toBe(true);
    });
  });

  describe('async generators', () => {
    it('ends the span when the iteration is done', async () => {
      const make = timeit(async function* ticks(n: number) {
        for (let i = 0; i < n; i++) {
          await new Promise((r) => setImmediate(r));
          yield i;
        }
      });
      const seen: number[] = [];
      const gen = make(3);
      expect(Object.prototype.toString.call(gen)).toBe('[object AsyncGenerator]');
      for await (const i of gen) {
        seen.push(i);
        expect(sdk.spans()).toHaveLength(0);
      }
      expect(seen).toEqual([0, 1, 2]);
      expect(sdk.byName('ticks').status.code).toBe(SpanStatusCode.UNSET);
    });

    it('ends the span on return() and on a rejection', async () => {
      const gen = timeit(async function* stoppable() {
        yield 1;
        yield 2;
      })();
      await gen.next();
      await expect(gen.return(undefined)).resolves.toEqual({ value: undefined, done: true });
      expect(sdk.byName('stoppable').status.code).toBe(SpanStatusCode.UNSET);

      const boom = new Error('async gen boom');
      const failing = timeit(async function* failing() {
        await null;
        if (boom) throw boom;
        yield 0;
      })();
      await expect(failing.next()).rejects.toBe(boom);
      expect(sdk.byName('failing').status.message).toBe('async gen boom');
      expect(sdk.spans()).toHaveLength(2);
    });

    it('keeps calls after an await inside the body children of its span', async () => {
      const gen = timeit(async function* pages() {
        await new Promise((r) => setTimeout(r, 1));
        yield child();
        await new Promise((r) => setImmediate(r));
        yield child();
      })();
      for await (const _ of gen) {
        // consume
      }
      const parent = sdk.byName('pages');
      const children = sdk.spans().filter((s) => s.name === 'child');
      expect(children).toHaveLength(2);
      for (const c of children) expect(parentId(c)).toBe(spanId(parent));
    });
  });
});
