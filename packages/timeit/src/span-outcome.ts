import { type Span, SpanStatusCode } from '@opentelemetry/api';
import type { Timer } from './internal-types.js';
import { reportFailure } from './report.js';

function isError(value: unknown): value is Error {
  // The tag check also catches errors from another realm (vm contexts), which fail instanceof.
  return value instanceof Error || Object.prototype.toString.call(value) === '[object Error]';
}

function describe(value: unknown): string {
  try {
    return String(value);
  } catch {
    // e.g. an object whose toString throws, or Object.create(null)
    return Object.prototype.toString.call(value);
  }
}

/** Ends the span with status OK-by-default (unset). Never throws. */
export function endSpan(timer: Timer, span: Span): void {
  try {
    span.end();
  } catch (error) {
    reportFailure(timer, 'span.end() failed', error);
  }
}

/**
 * Marks the span as failed with what the user's function threw or rejected with, then ends it.
 * An Error is recorded as an exception event with its stack; any other value as its string.
 * Never throws.
 */
export function failSpan(timer: Timer, span: Span, thrown: unknown): void {
  try {
    let message: string;
    if (isError(thrown)) {
      span.recordException(thrown);
      message = describe(thrown.message);
    } else {
      message = describe(thrown);
      span.recordException(message);
    }
    span.setStatus({ code: SpanStatusCode.ERROR, message });
  } catch (error) {
    reportFailure(timer, 'recording the error on the span failed', error);
  }
  endSpan(timer, span);
}

/** Ends a span at most once, however often a thenable or an iterator calls back. */
export class SpanEnd {
  private open = true;
  private readonly timer: Timer;
  private readonly span: Span;

  constructor(timer: Timer, span: Span) {
    this.timer = timer;
    this.span = span;
  }

  ok(): void {
    if (!this.open) return;
    this.open = false;
    endSpan(this.timer, this.span);
  }

  fail(thrown: unknown): void {
    if (!this.open) return;
    this.open = false;
    failSpan(this.timer, this.span, thrown);
  }
}
