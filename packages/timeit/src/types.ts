import type { Attributes, SpanKind, Tracer } from '@opentelemetry/api';

/**
 * Any function `timeit` can wrap: its parameters, `this` and return type are kept as they are.
 */
export type AnyFunction = (this: any, ...args: any[]) => any;

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
