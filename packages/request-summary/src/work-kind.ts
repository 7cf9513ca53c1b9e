import type { SummarySpan } from './types.js';

/**
 * The kinds of work a request's breakdown tells apart, in the order of
 * {@link RequestBreakdown}'s fields; an index into `RequestRecord.kinds`.
 */
export const WORK_KINDS = ['db', 'httpClient', 'rpc', 'messaging', 'other'] as const;

const DB = 0;
const HTTP_CLIENT = 1;
const RPC = 2;
const MESSAGING = 3;
const OTHER = 4;

/** SpanKind values, without importing the enum on the hot path. */
const CLIENT = 2;
const PRODUCER = 3;
const CONSUMER = 4;

/**
 * The kind of work a span did, from its `SpanKind` and the semantic-convention attributes that
 * instrumentations set when they start a span (they are sampling-relevant, so they are there at
 * creation):
 *
 * - database: any span with `db.system.name` (or `db.system`, the older name);
 * - outgoing HTTP: a CLIENT span with `http.request.method` (or `http.method`);
 * - RPC: a CLIENT span with `rpc.system`;
 * - messaging: a PRODUCER or CONSUMER span, or a CLIENT span with `messaging.system`;
 * - other: the rest (internal spans, `timeit`, middleware, a SERVER span inside a request).
 *
 * Internal spans, most of a request's, cost two attribute reads.
 * @returns an index into {@link WORK_KINDS}
 */
export function workKind(span: SummarySpan): number {
  const attributes = span.attributes;
  if (attributes['db.system.name'] !== undefined || attributes['db.system'] !== undefined) {
    return DB;
  }
  const kind = span.kind;
  if (kind === CLIENT) {
    if (
      attributes['http.request.method'] !== undefined ||
      attributes['http.method'] !== undefined
    ) {
      return HTTP_CLIENT;
    }
    if (attributes['rpc.system'] !== undefined) return RPC;
    if (attributes['messaging.system'] !== undefined) return MESSAGING;
    return OTHER;
  }
  return kind === PRODUCER || kind === CONSUMER ? MESSAGING : OTHER;
}
