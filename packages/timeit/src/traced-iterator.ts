import type { Context } from '@opentelemetry/api';
import { callInContext } from './call-in-context.js';
import type { Timer } from './internal-types.js';
import type { SpanEnd } from './span-outcome.js';

type Step = 'next' | 'return' | 'throw';

// Inheriting from the intrinsic iterator prototypes keeps iterator helpers (`map`, `toArray`
// on Node 22+), `Symbol.dispose` and `[Symbol.iterator]() { return this }` working on the wrapper.
const IteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf(function* () {}.prototype));
const AsyncIteratorPrototype = Object.getPrototypeOf(
  Object.getPrototypeOf(async function* () {}.prototype),
);

/**
 * A generator object standing for the user's one: every resumption runs inside the span's
 * context (so calls made by the generator body are its children), and the span ends when the
 * iteration is done, is returned from, or throws.
 */
export class TracedGenerator {
  private readonly inner: Generator;
  private readonly ctx: Context;
  private readonly end: SpanEnd;
  private readonly timer: Timer;

  constructor(timer: Timer, inner: Generator, ctx: Context, end: SpanEnd) {
    this.timer = timer;
    this.inner = inner;
    this.ctx = ctx;
    this.end = end;
  }

  next(...args: [] | [unknown]): IteratorResult<unknown> {
    return this.step('next', args);
  }

  return(...args: [] | [unknown]): IteratorResult<unknown> {
    return this.step('return', args);
  }

  throw(...args: [] | [unknown]): IteratorResult<unknown> {
    return this.step('throw', args);
  }

  private step(method: Step, args: ArrayLike<unknown>): IteratorResult<unknown> {
    let result: IteratorResult<unknown>;
    try {
      result = callInContext(
        this.timer,
        this.ctx,
        this.inner[method],
        this.inner,
        args,
      ) as IteratorResult<unknown>;
    } catch (error) {
      this.end.fail(error);
      throw error;
    }
    if (result?.done === true) this.end.ok();
    return result;
  }
}
Object.setPrototypeOf(TracedGenerator.prototype, IteratorPrototype);
Object.defineProperty(TracedGenerator.prototype, Symbol.toStringTag, {
  value: 'Generator',
  configurable: true,
});

/** The async counterpart of {@link TracedGenerator}: the span ends when a step settles done. */
export class TracedAsyncGenerator {
  private readonly inner: AsyncGenerator;
  private readonly ctx: Context;
  private readonly end: SpanEnd;
  private readonly timer: Timer;

  constructor(timer: Timer, inner: AsyncGenerator, ctx: Context, end: SpanEnd) {
    this.timer = timer;
    this.inner = inner;
    this.ctx = ctx;
    this.end = end;
  }

  next(...args: [] | [unknown]): Promise<IteratorResult<unknown>> {
    return this.step('next', args);
  }

  return(...args: [] | [unknown]): Promise<IteratorResult<unknown>> {
    return this.step('return', args);
  }

  throw(...args: [] | [unknown]): Promise<IteratorResult<unknown>> {
    return this.step('throw', args);
  }

  private step(method: Step, args: ArrayLike<unknown>): Promise<IteratorResult<unknown>> {
    let pending: Promise<IteratorResult<unknown>>;
    try {
      pending = callInContext(
        this.timer,
        this.ctx,
        this.inner[method],
        this.inner,
        args,
      ) as Promise<IteratorResult<unknown>>;
    } catch (error) {
      // An async generator's methods reject rather than throw; this is a foreign object's throw.
      this.end.fail(error);
      throw error;
    }
    const end = this.end;
    return pending.then(
      (result) => {
        if (result?.done === true) end.ok();
        return result;
      },
      (error: unknown) => {
        end.fail(error);
        throw error;
      },
    );
  }
}
Object.setPrototypeOf(TracedAsyncGenerator.prototype, AsyncIteratorPrototype);
Object.defineProperty(TracedAsyncGenerator.prototype, Symbol.toStringTag, {
  value: 'AsyncGenerator',
  configurable: true,
});
