import type { SummarySpan } from './types.js';

/**
 * The attribute `@otel-gelf/timeit` puts on every span it starts (value `true`), whatever the
 * span's name or tracer, so that a root it started (a job, a script step) counts as a request.
 * The same key is exported by `@otel-gelf/timeit` as `ATTR_TIMEIT`; the packages do not depend on
 * each other, so each names it.
 */
export const ATTR_TIMEIT = 'otel_gelf.timeit';

// SpanKind.SERVER and SpanKind.CONSUMER of @opentelemetry/api.
const SERVER = 1;
const CONSUMER = 4;

/**
 * The default `isRequestRoot`: a local root is a request when it is a SERVER or CONSUMER span
 * (an incoming HTTP request, a consumed message) or was started by `timeit`. Roots such as a
 * `dns.lookup`, a `tcp.connect` or a CLIENT call made outside any request are not.
 */
export function isDefaultRequestRoot(span: SummarySpan): boolean {
  const kind = span.kind;
  return kind === SERVER || kind === CONSUMER || span.attributes[ATTR_TIMEIT] === true;
}
