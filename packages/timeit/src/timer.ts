import { type Attributes, diag, type SpanOptions, type Tracer } from '@opentelemetry/api';
import { functionKind } from './function-kind.js';
import type { Timer } from './internal-types.js';
import type { TimeitOptions } from './types.js';

/** The attribute naming the wrapped function (OTel semantic conventions, `code.*`). */
export const ATTR_CODE_FUNCTION_NAME = 'code.function.name';

/**
 * Marks every span `timeit` starts (value `true`), whatever its name or tracer: a root span with
 * it counts as a request for `@otel-gelf/request-summary` (a job, a script step), which reads the
 * same key.
 */
export const ATTR_TIMEIT = 'otel_gelf.timeit';

/** Options as read once at wrap time; a throwing getter leaves the default in place. */
interface ReadOptions {
  name: string | undefined;
  kind: SpanOptions['kind'];
  tracer: Tracer | undefined;
  attributes: Attributes;
}

function readOptions(options: TimeitOptions | undefined): ReadOptions {
  const read: ReadOptions = {
    name: undefined,
    kind: undefined,
    tracer: undefined,
    attributes: {},
  };
  if (options === undefined || options === null) return read;
  try {
    read.name = typeof options.name === 'string' && options.name !== '' ? options.name : undefined;
    read.kind = options.kind;
    read.tracer = options.tracer;
    // Copied (getters evaluated) now, so spans of this wrapper share one frozen set.
    Object.assign(read.attributes, options.attributes);
  } catch (error) {
    read.attributes = {};
    diag.warn(
      '@otel-gelf/timeit: reading the options failed; the span has no custom attributes',
      error,
    );
  }
  return read;
}

/** Span options with `code.function.name` first, so the user's attributes can override it. */
export function spanOptionsFor(read: ReadOptions, functionName: string | undefined): SpanOptions {
  const attributes: Attributes =
    functionName === undefined
      ? { ...read.attributes, [ATTR_TIMEIT]: true }
      : { [ATTR_CODE_FUNCTION_NAME]: functionName, ...read.attributes, [ATTR_TIMEIT]: true };
  return read.kind === undefined ? { attributes } : { kind: read.kind, attributes };
}

/**
 * Builds the per-wrapper state. `functionName` is what `code.function.name` records and the
 * default span name (`undefined`: the function has no name, the span is called `anonymous`).
 */
export function createTimer(
  options: TimeitOptions | undefined,
  fn: Function,
  functionName: string | undefined,
): { timer: Timer; read: ReadOptions } {
  const read = readOptions(options);
  const timer: Timer = {
    name: read.name ?? functionName ?? 'anonymous',
    spanOptions: spanOptionsFor(read, functionName),
    tracer: read.tracer,
    kind: functionKind(fn),
    resolveName: undefined,
    reported: false,
  };
  return { timer, read };
}
