import { diag } from '@opentelemetry/api';
import type { Timer } from './internal-types.js';

/**
 * Reports a failure of the instrumentation itself (never the user's own error) through `diag`,
 * once per wrapper: a broken tracer fails on every call, and one message per call would flood
 * the log, while one per process would hide which function is affected.
 */
export function reportFailure(timer: Timer, what: string, error: unknown): void {
  if (timer.reported) return;
  timer.reported = true;
  try {
    diag.error(
      `@otel-gelf/timeit: ${what} for "${timer.name}"; the function runs without a span (reported once per wrapper)`,
      error,
    );
  } catch {
    // A broken diag logger must not reach the user's call either.
  }
}
