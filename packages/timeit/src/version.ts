/** The instrumentation scope name of the tracer `timeit` uses when no tracer is given. */
export const TRACER_NAME = '@otel-gelf/timeit';

/** The instrumentation scope version (this package's version). */
export const TRACER_VERSION = '0.1.0';
