import { context, type Span, type Tracer, trace } from '@opentelemetry/api';
import { callInContext } from './call-in-context.js';
import type { Timer } from './internal-types.js';
import { reportFailure } from './report.js';
import { endSpan, failSpan, SpanEnd } from './span-outcome.js';
import { TracedAsyncGenerator, TracedGenerator } from './traced-iterator.js';

/**
 * Runs `fn` once inside a new active span and ends the span when its work is over: on return,
 * when a returned thenable settles, or when a returned generator finishes. The user's result
 * and errors pass through unchanged; failures of the instrumentation are reported, not thrown.
 */
export function tracedCall(
  timer: Timer,
  tracer: Tracer,
  fn: Function,
  self: unknown,
  args: ArrayLike<unknown>,
): unknown {
  let span: Span;
  let ctx: ReturnType<typeof context.active>;
  try {
    if (timer.resolveName !== undefined) timer.resolveName(self);
    const parent = context.active();
    span = tracer.startSpan(timer.name, timer.spanOptions, parent);
    ctx = trace.setSpan(parent, span);
  } catch (error) {
    reportFailure(timer, 'starting a span failed', error);
    return Reflect.apply(fn, self, args);
  }

  let result: unknown;
  try {
    result = callInContext(timer, ctx, fn, self, args);
  } catch (error) {
    failSpan(timer, span, error);
    throw error;
  }

  if (timer.kind === 'generator') {
    return new TracedGenerator(timer, result as Generator, ctx, new SpanEnd(timer, span));
  }
  if (timer.kind === 'async-generator') {
    return new TracedAsyncGenerator(timer, result as AsyncGenerator, ctx, new SpanEnd(timer, span));
  }
  if (result === null || (typeof result !== 'object' && typeof result !== 'function')) {
    endSpan(timer, span);
    return result;
  }
  return followThenable(timer, span, result);
}

function followThenable(timer: Timer, span: Span, result: object): unknown {
  let then: unknown;
  try {
    then = (result as { then?: unknown }).then;
  } catch (error) {
    // A throwing `then` getter is the user's object misbehaving; give it back as it is.
    reportFailure(timer, 'reading the result’s then failed', error);
    endSpan(timer, span);
    return result;
  }
  if (typeof then !== 'function') {
    endSpan(timer, span);
    return result;
  }
  const end = new SpanEnd(timer, span);
  if (result instanceof Promise) {
    // A native promise: returning its chain keeps the rejection value's identity, and the caller
    // still sees an unhandled rejection if it ignores the result.
    return Reflect.apply(then, result, [
      (value: unknown) => {
        end.ok();
        return value;
      },
      (error: unknown) => {
        end.fail(error);
        throw error;
      },
    ]);
  }
  // Any other thenable: then() is called once, here, and the caller gets a promise that settles
  // as the thenable does. Handing the thenable back would let the caller call then() again (a
  // lazy query runs twice), and what a thenable's then() returns is not promised to be anything.
  return new Promise((resolve, reject) => {
    try {
      Reflect.apply(then, result, [
        (value: unknown) => {
          end.ok();
          resolve(value);
        },
        (error: unknown) => {
          end.fail(error);
          reject(error);
        },
      ]);
    } catch (error) {
      // As `await` treats it: a then() that throws before calling back rejects.
      end.fail(error);
      reject(error);
    }
  });
}
