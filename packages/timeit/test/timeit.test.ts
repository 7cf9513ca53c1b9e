import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { ATTR_CODE_FUNCTION_NAME, TRACER_NAME, timeit } from '../src/index.js';
import { useSdk } from './helpers.js';

describe('timeit', () => {
  const sdk = useSdk();

  describe('the wrapper', () => {
    it('keeps the name and length of the wrapped function', () => {
      function threeArgs(_a: number, _b: string, _c = true) {}
      const wrapped = timeit(threeArgs);
      expect(wrapped.name).toBe('threeArgs');
      expect(wrapped.length).toBe(2);
      expect(timeit((_x: number) => 1).length).toBe(1);
    });

    it('passes arguments and this through and returns the result', () => {
      const counter = {
        base: 10,
        add: timeit(function add(this: { base: number }, a: number, b: number) {
          return this.base + a + b;
        }),
      };
      expect(counter.add(1, 2)).toBe(13);
      expect(timeit(Math.max)(3, 9, 4)).toBe(9);
    });

    it('wraps a class method and a callback', () => {
      class Cart {
        items = [1, 2, 3];
        total(this: Cart, tax: number): number {
          return this.items.reduce((a, b) => a + b, 0) + tax;
        }
      }
      Cart.prototype.total = timeit(Cart.prototype.total);
      expect(new Cart().total(4)).toBe(10);
      expect([1, 2].map(timeit((x: number) => x * 2))).toEqual([2, 4]);
      expect(sdk.spans().map((s) => s.name)).toEqual(['total', 'anonymous', 'anonymous']);
    });

    it('throws a TypeError at wrap time when no function is given', () => {
      expect(() => timeit('name', 42 as never)).toThrow(TypeError);
      expect(() => timeit({}, undefined as never)).toThrow(TypeError);
    });
  });

  describe('span naming', () => {
    it('names the span after the function and records code.function.name', () => {
      timeit(function loadUser() {})();
      const span = sdk.byName('loadUser');
      expect(span.attributes[ATTR_CODE_FUNCTION_NAME]).toBe('loadUser');
      expect(span.instrumentationScope.name).toBe(TRACER_NAME);
      expect(span.kind).toBe(SpanKind.INTERNAL);
    });

    it('uses the name given as a string or in the options', () => {
      timeit('by-string', function f1() {})();
      timeit({ name: 'by-options' }, function f2() {})();
      expect(sdk.byName('by-string').attributes[ATTR_CODE_FUNCTION_NAME]).toBe('f1');
      expect(sdk.byName('by-options').attributes[ATTR_CODE_FUNCTION_NAME]).toBe('f2');
    });

    it('calls a nameless function anonymous and records no function name', () => {
      timeit(
        (
          () => () =>
            1
        )(), // an arrow that does not get a name by assignment
      )();
      const span = sdk.byName('anonymous');
      expect(span.attributes).not.toHaveProperty(ATTR_CODE_FUNCTION_NAME);
    });

    it('sets the attributes and kind from the options, read once at wrap time', () => {
      const attributes: Record<string, string> = { 'app.tier': 'gold' };
      const wrapped = timeit({ attributes, kind: SpanKind.CLIENT }, function call() {});
      attributes['app.tier'] = 'changed later';
      wrapped();
      wrapped();
      for (const span of sdk.spans()) {
        expect(span.kind).toBe(SpanKind.CLIENT);
        expect(span.attributes).toMatchObject({
          'app.tier': 'gold',
          [ATTR_CODE_FUNCTION_NAME]: 'call',
        });
      }
      expect(sdk.spans()).toHaveLength(2);
    });

    it('uses the tracer given in the options', () => {
      const tracer = trace.getTracer('my-scope');
      timeit({ tracer }, function scoped() {})();
      expect(sdk.byName('scoped').instrumentationScope.name).toBe('my-scope');
    });
  });

  describe('sync functions', () => {
    it('ends the span once when the function returns', () => {
      expect(
        timeit(function ok() {
          return 'v';
        })(),
      ).toBe('v');
      const span = sdk.byName('ok');
      expect(span.status.code).toBe(SpanStatusCode.UNSET);
      expect(span.ended).toBe(true);
    });

    it('rethrows the same error and marks the span as failed', () => {
      const boom = new RangeError('boom');
      const wrapped = timeit(function fails() {
        throw boom;
      });
      let caught: unknown;
      try {
        wrapped();
      } catch (error) {
        caught = error;
      }
      expect(caught).toBe(boom);
      const span = sdk.byName('fails');
      expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'boom' });
      expect(span.events).toHaveLength(1);
      expect(span.events[0]!.name).toBe('exception');
      expect(span.events[0]!.attributes).toMatchObject({
        'exception.type': 'RangeError',
        'exception.message': 'boom',
      });
      expect(span.events[0]!.attributes?.['exception.stacktrace']).toContain('RangeError: boom');
    });

    it('records a thrown non-Error value as a string', () => {
      const thrown = { code: 42, toString: () => 'custom failure' };
      expect(() =>
        timeit(function throwsObject() {
          throw thrown;
        })(),
      ).toThrow(expect.objectContaining({ code: 42 }));
      const span = sdk.byName('throwsObject');
      expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'custom failure' });
      expect(span.events[0]!.attributes?.['exception.message']).toBe('custom failure');
    });

    it('records a thrown value whose toString throws without failing', () => {
      const weird = Object.create(null);
      let caught: unknown;
      try {
        timeit(function throwsBare() {
          throw weird;
        })();
      } catch (error) {
        caught = error;
      }
      expect(caught).toBe(weird);
      expect(sdk.byName('throwsBare').status).toEqual({
        code: SpanStatusCode.ERROR,
        message: '[object Object]',
      });
    });
  });

  describe('promises and thenables', () => {
    it('ends the span when an async function resolves', async () => {
      let release!: () => void;
      const gate = new Promise<void>((r) => {
        release = r;
      });
      const pending = timeit(async function waits() {
        await gate;
        return 7;
      })();
      await Promise.resolve();
      expect(sdk.spans()).toHaveLength(0);
      release();
      await expect(pending).resolves.toBe(7);
      expect(sdk.byName('waits').status.code).toBe(SpanStatusCode.UNSET);
    });

    it('rejects with the same value and marks the span as failed', async () => {
      const boom = new Error('async boom');
      const pending = timeit(async function rejects() {
        await null;
        throw boom;
      })();
      await expect(pending).rejects.toBe(boom);
      const span = sdk.byName('rejects');
      expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'async boom' });
      expect(span.events.map((e) => e.name)).toEqual(['exception']);
    });

    it('keeps the identity of a non-Error rejection value', async () => {
      const reason = { why: 'nope' };
      await expect(timeit(() => Promise.reject(reason))()).rejects.toBe(reason);
      expect(sdk.byName('anonymous').status.message).toBe('[object Object]');
    });

    it('calls a non-native thenable’s then once and gives the caller a promise of its value', async () => {
      const calls: string[] = [];
      const thenable = {
        // biome-ignore lint/suspicious/noThenProperty: a thenable is what this test needs
        then(onOk: (v: number) => unknown) {
          calls.push('then');
          return Promise.resolve(onOk(5));
        },
      };
      const result = timeit(function customThenable() {
        return thenable;
      })();
      expect(calls).toEqual(['then']);
      expect(result).toBeInstanceOf(Promise);
      await expect(result).resolves.toBe(5);
      // Awaiting the result does not run the thenable again.
      expect(calls).toEqual(['then']);
      expect(sdk.byName('customThenable').ended).toBe(true);
    });

    it('resolves like a thenable whose then() returns nothing, calling it once', async () => {
      let thens = 0;
      let resolveLater!: (v: string) => void;
      const thenable = {
        // biome-ignore lint/suspicious/noThenProperty: a thenable is what this test needs
        then(onOk: (v: string) => void) {
          thens++;
          resolveLater = onOk;
        },
      };
      const result = timeit(function lazyQuery() {
        return thenable;
      })();
      expect(result).toBeInstanceOf(Promise);
      expect(sdk.spans()).toHaveLength(0);
      resolveLater('rows');
      await expect(result).resolves.toBe('rows');
      expect(thens).toBe(1);
      expect(sdk.byName('lazyQuery').status.code).toBe(SpanStatusCode.UNSET);
    });

    it('rejects like a thenable whose then() returns nothing, with the same value', async () => {
      const reason = new Error('query failed');
      const thenable = {
        // biome-ignore lint/suspicious/noThenProperty: a thenable is what this test needs
        then(_onOk: unknown, onErr: (e: unknown) => void) {
          setImmediate(() => onErr(reason));
        },
      };
      const result = timeit(function failingQuery() {
        return thenable;
      })();
      await expect(result).rejects.toBe(reason);
      expect(sdk.byName('failingQuery').status).toEqual({
        code: SpanStatusCode.ERROR,
        message: 'query failed',
      });
    });

    it('rejects with what a thenable’s then() throws before calling back', async () => {
      const thrown = new Error('then threw');
      const thenable = {
        // biome-ignore lint/suspicious/noThenProperty: a thenable is what this test needs
        then() {
          throw thrown;
        },
      };
      await expect(timeit(() => thenable)()).rejects.toBe(thrown);
      expect(sdk.byName('anonymous').status.code).toBe(SpanStatusCode.ERROR);
    });

    it('ends the span once even when a thenable calls back twice', async () => {
      const thenable = {
        // biome-ignore lint/suspicious/noThenProperty: a thenable is what this test needs
        then(onOk: (v: number) => unknown, onErr: (e: unknown) => unknown) {
          onOk(1);
          onOk(2);
          onErr(new Error('late'));
          return 'chained';
        },
      };
      await expect(
        timeit(function flaky() {
          return thenable;
        })(),
      ).resolves.toBe(1);
      expect(sdk.spans()).toHaveLength(1);
      expect(sdk.byName('flaky').status.code).toBe(SpanStatusCode.UNSET);
    });

    it('returns an object whose then is not a function as is', () => {
      const notThenable = {
        // biome-ignore lint/suspicious/noThenProperty: an object with a non-function then
        then: 3,
      };
      expect(
        timeit(function plainObject() {
          return notThenable;
        })(),
      ).toBe(notThenable);
      expect(sdk.byName('plainObject').ended).toBe(true);
    });
  });
});
