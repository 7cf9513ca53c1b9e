import { SpanKind } from '@opentelemetry/api';
import { describe, expectTypeOf, it } from 'vitest';
import { type TimedDecorator, type TimeitOptions, timed, timeit } from '../src/index.js';

describe('timeit types', () => {
  it('keeps a sync function’s parameters and return type', () => {
    const add = (a: number, b?: string): number => a + Number(b ?? 0);
    const wrapped = timeit(add);
    expectTypeOf(wrapped).toEqualTypeOf(add);
    expectTypeOf(wrapped).parameters.toEqualTypeOf<[a: number, b?: string]>();
    expectTypeOf(wrapped).returns.toEqualTypeOf<number>();
    // @ts-expect-error a string is not a number
    wrapped('1');
  });

  it('keeps an async function’s promise type', () => {
    const wrapped = timeit('load', async (id: string) => ({ id }));
    expectTypeOf(wrapped).returns.toEqualTypeOf<Promise<{ id: string }>>();
    expectTypeOf(wrapped).parameter(0).toEqualTypeOf<string>();
  });

  it('types a function returning a non-promise thenable as returning a promise of its value', () => {
    interface Query<T> extends PromiseLike<T> {
      lean(): Query<T>;
    }
    const find = (id: string): Query<{ id: string }> =>
      ({ id }) as unknown as Query<{ id: string }>;
    const wrapped = timeit(find);
    expectTypeOf(wrapped).returns.toEqualTypeOf<Promise<{ id: string }>>();
    expectTypeOf(wrapped).parameters.toEqualTypeOf<[id: string]>();
    // A declared PromiseLike is honest as it is: a promise is one.
    const like = (): PromiseLike<number> => Promise.resolve(1);
    expectTypeOf(timeit(like)).toEqualTypeOf(like);
  });

  it('keeps generator and async generator types', () => {
    const gen = timeit(function* (n: number): Generator<number, string, boolean> {
      const go = yield n;
      return String(go);
    });
    expectTypeOf(gen).returns.toEqualTypeOf<Generator<number, string, boolean>>();
    const agen = timeit({ name: 'stream' }, async function* (s: string) {
      yield s;
    });
    expectTypeOf(agen).returns.toEqualTypeOf<AsyncGenerator<string, void, unknown>>();
  });

  it('keeps this', () => {
    interface Counter {
      n: number;
    }
    const inc = timeit(function (this: Counter, by: number) {
      this.n += by;
      return this;
    });
    expectTypeOf(inc).thisParameter.toEqualTypeOf<Counter>();
    expectTypeOf(inc).returns.toEqualTypeOf<Counter>();
    inc.call({ n: 1 }, 2);
    // @ts-expect-error wrong this
    inc.call({ m: 1 }, 2);
  });

  it('keeps a method’s this when wrapping a prototype method', () => {
    class Service {
      base = 1;
      plus(x: number): number {
        return this.base + x;
      }
    }
    const plus = timeit(Service.prototype.plus);
    expectTypeOf(plus).toEqualTypeOf<(x: number) => number>();
    expectTypeOf(
      timeit(function (this: Service, x: number) {
        return this.plus(x);
      }),
    ).thisParameter.toEqualTypeOf<Service>();
  });

  it('keeps generic functions generic', () => {
    const identity = timeit(<T>(value: T): T => value);
    expectTypeOf(identity(3)).toEqualTypeOf<number>();
    expectTypeOf(identity('a')).toEqualTypeOf<string>();
  });

  it('accepts the documented options and rejects others', () => {
    expectTypeOf<TimeitOptions>().toHaveProperty('kind').toEqualTypeOf<SpanKind | undefined>();
    timeit({ name: 'x', attributes: { a: 1 }, kind: SpanKind.SERVER }, () => 1);
    // @ts-expect-error unknown option
    timeit({ nam: 'x' }, () => 1);
    // @ts-expect-error a function is required
    timeit('x');
  });

  it('types @timed as a decorator of both conventions', () => {
    expectTypeOf(timed()).toEqualTypeOf<TimedDecorator>();
    class Repo {
      @timed()
      find(id: number): Promise<string> {
        return Promise.resolve(String(id));
      }
      @timed({ name: 'Repo.all' })
      static all(): string[] {
        return [];
      }
    }
    expectTypeOf(new Repo().find).toEqualTypeOf<(id: number) => Promise<string>>();
    expectTypeOf(Repo.all).returns.toEqualTypeOf<string[]>();
    const descriptor: TypedPropertyDescriptor<(x: number) => number> = { value: (x) => x };
    expectTypeOf(timed()(Repo.prototype, 'find', descriptor)).toEqualTypeOf<
      TypedPropertyDescriptor<(x: number) => number>
    >();
  });
});
