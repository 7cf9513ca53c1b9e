import type { Attributes, SpanKind, Tracer } from '@opentelemetry/api';

/**
 * Any function `timeit` can wrap: its parameters, `this` and return type are kept as they are.
 */
export type AnyFunction = (this: any, ...args: any[]) => any;

/**
 * What {@link timeit} returns for `F`: `F` itself, except for a function declared to return a
 * thenable that is not a promise (a lazy query, a custom future): `timeit` calls its `then()`
 * once and hands the caller a `Promise` of its value, so the wrapper is typed as returning
 * that. A declared `Promise<T>` or `PromiseLike<T>` (which a promise is) keeps `F` as it is.
 */
export type Timed<F extends AnyFunction> =
  Promise<Awaited<ReturnType<F>>> extends ReturnType<F>
    ? F
    : ReturnType<F> extends PromiseLike<unknown>
      ? (this: ThisParameterType<F>, ...args: Parameters<F>) => Promise<Awaited<ReturnType<F>>>
      : F;

/**
 * Options of {@link timeit}.
 */
export interface TimeitOptions {
  /**
   * The span name.
   * @defaultValue the function's `name`, else `'anonymous'`
   */
  name?: string;
  /**
   * Attributes set on every span of this wrapper. They are read once, when the function is
   * wrapped; `code.function.name` is added to them.
   */
  attributes?: Attributes;
  /**
   * The span kind.
   * @defaultValue `SpanKind.INTERNAL`
   */
  kind?: SpanKind;
  /**
   * A tracer to use instead of the global one. Without it, the tracer `@otel-gelf/timeit` is
   * looked up through the global API at call time, so a provider registered after wrapping is
   * used too.
   */
  tracer?: Tracer;
}

/**
 * Options of {@link timed}: those of {@link TimeitOptions}. The default span name is
 * `ClassName.method`.
 */
export type TimedOptions = TimeitOptions;
