import { trace } from '@opentelemetry/api';
import { registry } from './annotation-registry.js';
import type { SummaryAnnotationValue } from './types.js';

/** What {@link annotateRequest} takes: keys and string, number or boolean values. */
export type RequestAnnotations = Readonly<Record<string, SummaryAnnotationValue | undefined>>;

/**
 * Adds facts known deep inside a request (the user, the tenant, a cache hit) to that request's
 * one summary, `RequestSummary.annotations`, and so to its GELF message.
 *
 * Callable anywhere in the request's async context (middleware, a handler, a function three
 * awaits deep, a `timeit`-wrapped function): the request is found through the active span, by
 * every `RequestSummaryProcessor` in the process, whichever copy of this package made it. The
 * last write of a key wins. Values are strings, numbers (finite) or booleans; anything else, a key
 * past `maxAnnotations`, or an empty key or one longer than 128 characters is dropped and counted
 * (`counters.droppedAnnotations`, `stats().droppedAnnotations`). Strings longer than
 * `maxAnnotationLength` are cut.
 *
 * Outside a request, with no processor, or after shutdown it does nothing. Never throws.
 *
 * @example
 * ```ts
 * annotateRequest({ user_id: user.id, plan: user.plan });
 * ```
 */
export function annotateRequest(attributes: RequestAnnotations): void {
  const targets = registry.targets;
  if (targets.length === 0 || typeof attributes !== 'object' || attributes === null) return;
  const span = trace.getActiveSpan();
  if (span === undefined) return;
  for (let i = 0; i < targets.length; i++) {
    try {
      targets[i]!.annotate(span, attributes);
    } catch {
      // A target never throws; one from a broken copy of the package must not reach the caller.
    }
  }
}

/**
 * Adds `by` (default 1) to the counter `key` of the current request (`cache_miss`, `rows_read`):
 * summed over the request, stored among `RequestSummary.annotations`, found and bounded as
 * {@link annotateRequest} is. A key holding a string or boolean stays as it is (the count is
 * dropped and counted); `by` must be a finite number.
 *
 * Outside a request, with no processor, or after shutdown it does nothing. Never throws.
 */
export function countInRequest(key: string, by = 1): void {
  const targets = registry.targets;
  if (targets.length === 0) return;
  const span = trace.getActiveSpan();
  if (span === undefined) return;
  for (let i = 0; i < targets.length; i++) {
    try {
      targets[i]!.count(span, key, by);
    } catch {
      // As in annotateRequest.
    }
  }
}
