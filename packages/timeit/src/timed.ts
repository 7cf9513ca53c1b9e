import { diag } from '@opentelemetry/api';
import { copyMetadata } from './copy-metadata.js';
import { createTimer, spanOptionsFor } from './timer.js';
import type { AnyFunction, TimedOptions } from './types.js';
import { makeWrapper } from './wrapper.js';

/**
 * The decorator {@link timed} returns. It accepts both calling conventions: TypeScript's
 * standard (TC39) decorators, `(method, context)`, and `experimentalDecorators`,
 * `(target, key, descriptor)`.
 */
export interface TimedDecorator {
  /** Standard decorators: returns the wrapped method. */
  <F extends AnyFunction>(value: F, context: ClassMethodDecoratorContext<any, F>): F;
  /** `experimentalDecorators`: returns the descriptor with the wrapped method. */
  <T>(
    target: object,
    propertyKey: string | symbol,
    descriptor: TypedPropertyDescriptor<T>,
  ): TypedPropertyDescriptor<T>;
}

function keyLabel(key: string | symbol): string {
  return typeof key === 'symbol' ? `[${key.description ?? ''}]` : key;
}

function isMethodContext(value: unknown): value is ClassMethodDecoratorContext {
  return typeof value === 'object' && value !== null && 'kind' in value && 'name' in value;
}

/**
 * The class that owns `wrapper` under `key`, walked up from `self` (the instance, or the class
 * for a static method), so an inherited method is named after the class that defines it.
 */
function ownerName(
  self: unknown,
  wrapper: Function,
  key: string | symbol,
  isStatic: boolean,
): string | undefined {
  if (self === null || (typeof self !== 'object' && typeof self !== 'function')) return undefined;
  let holder: object | null = isStatic ? self : Object.getPrototypeOf(self);
  while (holder !== null) {
    if (Object.getOwnPropertyDescriptor(holder, key)?.value === wrapper) {
      return className(holder, isStatic);
    }
    holder = Object.getPrototypeOf(holder);
  }
  // Private methods live on no prototype: the class of `this` is the best we know.
  return className(self, isStatic);
}

/** The name of the class `holder` is (static) or whose prototype it is; `undefined` if none. */
function className(holder: object, isStatic: boolean): string | undefined {
  const owner = isStatic ? holder : (holder as { constructor?: unknown }).constructor;
  const name = (owner as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

function decorateStandard(
  options: TimedOptions | undefined,
  method: AnyFunction,
  context: ClassMethodDecoratorContext,
): AnyFunction {
  const key = context.name;
  const label = keyLabel(key);
  const { timer, read } = createTimer(options, method, label);
  const wrapper = makeWrapper(timer, method);
  copyMetadata(method, wrapper);
  // A standard method decorator is not told its class: the name is completed from the first
  // traced call's `this` (then cached), until then it is the bare method name.
  timer.resolveName = (self) => {
    const owner = ownerName(self, wrapper, key, context.static);
    if (owner === undefined) return;
    const qualified = `${owner}.${label}`;
    if (read.name === undefined) timer.name = qualified;
    timer.spanOptions = spanOptionsFor(read, qualified);
    timer.resolveName = undefined;
  };
  return wrapper;
}

function decorateLegacy(
  options: TimedOptions | undefined,
  target: unknown,
  key: string | symbol,
  descriptor: PropertyDescriptor,
): PropertyDescriptor {
  const method: unknown = descriptor.value;
  if (typeof method !== 'function') {
    diag.warn(`@otel-gelf/timeit: @timed() applies to methods only; ${String(key)} is left as is`);
    return descriptor;
  }
  // Legacy decorators get the prototype (instance methods) or the class (static methods).
  const owner = typeof target === 'function' ? target : (target as object).constructor;
  const ownerLabel = (owner as { name?: string } | undefined)?.name || 'anonymous';
  const qualified = `${ownerLabel}.${keyLabel(key)}`;
  const { timer } = createTimer(options, method, qualified);
  const wrapper = makeWrapper(timer, method as AnyFunction);
  copyMetadata(method, wrapper);
  return { ...descriptor, value: wrapper };
}

/**
 * A method decorator: every call of the method runs inside its own span, named
 * `ClassName.method` unless `options.name` says otherwise; see {@link timeit} for what is
 * measured and how results and errors pass through.
 *
 * Works with standard decorators (TypeScript 5+) and with `experimentalDecorators`.
 *
 * @example
 * ```ts
 * class UserService {
 *   @timed()
 *   async load(id: string) { … }
 * }
 * ```
 * @param options - see {@link TimedOptions}
 */
export function timed(options?: TimedOptions): TimedDecorator {
  const decorator = (target: unknown, keyOrContext: unknown, descriptor?: unknown): unknown => {
    if (isMethodContext(keyOrContext)) {
      if (keyOrContext.kind !== 'method' || typeof target !== 'function') {
        diag.warn(
          `@otel-gelf/timeit: @timed() applies to methods only; ${String(keyOrContext.kind)} ${String(keyOrContext.name)} is left as is`,
        );
        return undefined;
      }
      return decorateStandard(options, target as AnyFunction, keyOrContext);
    }
    if (
      (typeof keyOrContext === 'string' || typeof keyOrContext === 'symbol') &&
      typeof descriptor === 'object' &&
      descriptor !== null
    ) {
      return decorateLegacy(options, target, keyOrContext, descriptor as PropertyDescriptor);
    }
    diag.warn('@otel-gelf/timeit: @timed() was called in an unknown way; nothing is wrapped');
    return descriptor;
  };
  return decorator as TimedDecorator;
}
