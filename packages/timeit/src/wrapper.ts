import { currentTracer } from './global-tracer.js';
import type { Timer } from './internal-types.js';
import { reportFailure } from './report.js';
import { tracedCall } from './traced-call.js';
import type { AnyFunction } from './types.js';

/**
 * The function that stands for `fn`: same `name` and `length`, same `this`, arguments and
 * result. With no tracer provider registered it only adds the tracer lookup to a plain call.
 */
export function makeWrapper<F extends AnyFunction>(timer: Timer, fn: F): F {
  const wrapper = function (this: unknown) {
    let tracer = timer.tracer;
    if (tracer === undefined) {
      try {
        tracer = currentTracer();
      } catch (error) {
        reportFailure(timer, 'looking up the global tracer failed', error);
      }
      // biome-ignore lint/complexity/noArguments: `arguments` is the cheapest way to forward them
      if (tracer === undefined) return Reflect.apply(fn, this, arguments);
    }
    // biome-ignore lint/complexity/noArguments: see above
    return tracedCall(timer, tracer, fn, this, arguments);
  };
  Object.defineProperty(wrapper, 'name', { value: fn.name, configurable: true });
  Object.defineProperty(wrapper, 'length', { value: fn.length, configurable: true });
  return wrapper as F;
}
