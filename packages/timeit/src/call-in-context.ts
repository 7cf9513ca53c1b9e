import { type Context, context } from '@opentelemetry/api';
import type { Timer } from './internal-types.js';
import { reportFailure } from './report.js';

/**
 * Calls `fn` exactly once with `ctx` active and returns its result; what `fn` throws passes
 * through unchanged. If the context manager itself fails, the failure is reported and `fn`
 * still runs (outside the context if it had not run yet).
 */
export function callInContext(
  timer: Timer,
  ctx: Context,
  fn: Function,
  self: unknown,
  args: ArrayLike<unknown>,
): unknown {
  // 0: not called yet, 1: running (so a throw is the user's), 2: returned.
  let state = 0;
  let value: unknown;
  try {
    context.with(ctx, () => {
      state = 1;
      value = Reflect.apply(fn, self, args);
      state = 2;
    });
  } catch (error) {
    if (state === 1) throw error;
    reportFailure(timer, 'context.with() failed', error);
    if (state === 0) return Reflect.apply(fn, self, args);
  }
  return value;
}
