import { createTimer } from './timer.js';
import type { AnyFunction, Timed, TimeitOptions } from './types.js';
import { makeWrapper } from './wrapper.js';

/**
 * Wraps `fn` so that every call runs inside its own active span, named after the function.
 *
 * The span ends when the call's work ends: on return or throw, when a returned promise (or any
 * thenable) settles, or when a returned generator finishes (done, `return()` or a throw).
 * What `fn` returns, throws or rejects with reaches the caller unchanged; a thenable that is not
 * a promise is followed with one `then()` call and reaches the caller as a promise that settles
 * like it.
 *
 * @example
 * ```ts
 * const load = timeit(async function loadUser(id: string) { … });
 * ```
 * @param fn - the function to wrap
 * @returns a function with the same parameters, `this`, return type, `name` and `length` (a
 * thenable that is not a promise comes back as a promise of its value: see {@link Timed})
 */
export function timeit<F extends AnyFunction>(fn: F): Timed<F>;
/**
 * Wraps `fn`; its spans are called `name`.
 * @param name - the span name
 * @param fn - the function to wrap
 */
export function timeit<F extends AnyFunction>(name: string, fn: F): Timed<F>;
/**
 * Wraps `fn` with {@link TimeitOptions} (name, attributes, kind, tracer).
 * @param options - see {@link TimeitOptions}
 * @param fn - the function to wrap
 */
export function timeit<F extends AnyFunction>(options: TimeitOptions, fn: F): Timed<F>;
export function timeit(first: unknown, second?: unknown): AnyFunction {
  let fn: unknown;
  let options: TimeitOptions | undefined;
  if (typeof first === 'function') {
    fn = first;
  } else if (typeof first === 'string') {
    fn = second;
    options = { name: first };
  } else {
    fn = second;
    options = first as TimeitOptions | undefined;
  }
  // A programming error at wrap time, not in a request: failing loudly here is the kind thing.
  if (typeof fn !== 'function') throw new TypeError('timeit: the last argument must be a function');
  const { timer } = createTimer(options, fn, fn.name === '' ? undefined : fn.name);
  return makeWrapper(timer, fn as AnyFunction);
}
