import {
  type Context,
  type ContextManager,
  context,
  type DiagLogger,
  DiagLogLevel,
  diag,
  type Span,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { resetGlobals } from '@otel-gelf-internal/sdk';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { timeit } from '../src/index.js';

function diagSpy() {
  const logger: DiagLogger = {
    error: vi.fn(),
    warn: vi.fn(),
    info: vi.fn(),
    debug: vi.fn(),
    verbose: vi.fn(),
  };
  diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  return logger;
}

function tracerWith(span: Partial<Span> | (() => never)): Tracer {
  const startSpan = () => {
    if (typeof span === 'function') return span();
    return span as Span;
  };
  return {
    startSpan,
    startActiveSpan: (() => {
      throw new Error('not used');
    }) as never,
  };
}

/** A context manager whose `with` is `withImpl`, answering a fresh root context as active. */
function contextManagerWith(withImpl: ContextManager['with']): ContextManager {
  // A fresh root context: a broken manager cannot call the api's own active().
  const root = trace.deleteSpan(context.active());
  return {
    active: () => root,
    with: withImpl,
    bind: <T>(_c: Context, t: T) => t,
    enable() {
      return this;
    },
    disable() {
      return this;
    },
  };
}

const okSpan = (): Partial<Span> => ({
  end: vi.fn(),
  setStatus: vi.fn(),
  recordException: vi.fn(),
  spanContext: () => ({ traceId: '1'.repeat(32), spanId: '2'.repeat(16), traceFlags: 1 }),
  isRecording: () => true,
});

describe('timeit when the instrumentation fails', () => {
  let logger: DiagLogger;
  beforeEach(() => {
    logger = diagSpy();
  });
  afterEach(() => {
    diag.disable();
    resetGlobals();
  });

  it('runs the function exactly once when startSpan throws, and reports once per wrapper', () => {
    const tracer = tracerWith(() => {
      throw new Error('broken tracer');
    });
    const fn = vi.fn((x: number) => x * 2);
    const wrapped = timeit({ tracer }, fn);
    expect(wrapped(2)).toBe(4);
    expect(wrapped(3)).toBe(6);
    expect(fn).toHaveBeenCalledTimes(2);
    expect(logger.error).toHaveBeenCalledTimes(1);
    expect(String(vi.mocked(logger.error).mock.calls[0]![0])).toContain('starting a span failed');

    const other = timeit({ tracer }, function other() {});
    other();
    expect(logger.error).toHaveBeenCalledTimes(2);
  });

  it('returns the result when span.end throws', () => {
    const span = {
      ...okSpan(),
      end: () => {
        throw new Error('end failed');
      },
    };
    const fn = vi.fn(() => 'result');
    expect(timeit({ tracer: tracerWith(span) }, fn)()).toBe('result');
    expect(fn).toHaveBeenCalledTimes(1);
    expect(logger.error).toHaveBeenCalledTimes(1);
  });

  it('rethrows the user’s own error when recording it on the span fails', async () => {
    const span = {
      ...okSpan(),
      recordException: () => {
        throw new Error('record failed');
      },
    };
    const boom = new Error('user boom');
    const fn = vi.fn(() => {
      throw boom;
    });
    expect(() => timeit({ tracer: tracerWith(span) }, fn)()).toThrow(boom);
    expect(fn).toHaveBeenCalledTimes(1);
    await expect(
      timeit({ tracer: tracerWith(span) }, async () => Promise.reject(boom))(),
    ).rejects.toBe(boom);
    expect(span.end).toHaveBeenCalledTimes(2);
    expect(logger.error).toHaveBeenCalledTimes(2);
  });

  it('runs the function once when the context manager fails before calling it', () => {
    context.setGlobalContextManager(
      contextManagerWith(() => {
        throw new Error('broken with');
      }),
    );
    const span = okSpan();
    const fn = vi.fn(() => 'ran');
    expect(timeit({ tracer: tracerWith(span) }, fn)()).toBe('ran');
    expect(fn).toHaveBeenCalledTimes(1);
    expect(span.end).toHaveBeenCalledTimes(1);
    expect(logger.error).toHaveBeenCalledTimes(1);
  });

  it('runs the function once when the context manager fails after it returned', () => {
    context.setGlobalContextManager(
      contextManagerWith((_ctx, fn, thisArg, ...args) => {
        Reflect.apply(fn, thisArg, args);
        throw new Error('restore failed');
      }),
    );
    const fn = vi.fn(() => 'ran');
    expect(timeit({ tracer: tracerWith(okSpan()) }, fn)()).toBe('ran');
    expect(fn).toHaveBeenCalledTimes(1);
    expect(logger.error).toHaveBeenCalledTimes(1);
  });

  it('wraps anyway when an attribute getter throws, and warns at wrap time', () => {
    const attributes = {
      get 'app.bad'(): string {
        throw new Error('getter failed');
      },
    };
    const span = okSpan();
    let seenOptions: unknown;
    const tracer: Tracer = {
      startSpan: (_name, options) => {
        seenOptions = options;
        return span as Span;
      },
      startActiveSpan: (() => {}) as never,
    };
    const fn = vi.fn(() => 5);
    const wrapped = timeit({ attributes, tracer }, fn);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(wrapped()).toBe(5);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(seenOptions).toEqual({
      attributes: { 'code.function.name': fn.name, 'otel_gelf.timeit': true },
    });
  });

  it('returns the result as is when reading its then throws', () => {
    const result = Object.defineProperty({}, 'then', {
      get() {
        throw new Error('then getter');
      },
    });
    const span = okSpan();
    expect(timeit({ tracer: tracerWith(span) }, () => result)()).toBe(result);
    expect(span.end).toHaveBeenCalledTimes(1);
    expect(logger.error).toHaveBeenCalledTimes(1);
  });

  it('survives a broken diag logger', () => {
    diag.setLogger(
      {
        error: () => {
          throw new Error('logger broken');
        },
        warn: () => {},
        info: () => {},
        debug: () => {},
        verbose: () => {},
      },
      { logLevel: DiagLogLevel.ALL, suppressOverrideMessage: true },
    );
    const tracer = tracerWith(() => {
      throw new Error('broken tracer');
    });
    expect(timeit({ tracer }, () => 1)()).toBe(1);
  });
});
