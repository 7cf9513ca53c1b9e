import {
  type OperationRow,
  operationsFromFields,
  operationsFromFullMessage,
  type ReceivedGelf,
} from '@otel-gelf/gelf-tail';

/** One operation over every summary seen. */
export interface OperationAggregate {
  name: string;
  /** Calls over all requests. */
  calls: number;
  /** Requests in which it ran. */
  requests: number;
  minMs: number;
  maxMs: number;
  /** Mean duration of one call. */
  meanMs: number;
}

/** Durations of the requests themselves, from `_duration_ms`. */
export interface DurationStats {
  count: number;
  minMs: number;
  maxMs: number;
  meanMs: number;
}

/** What the demo shows of one request, read from its GELF message. */
export interface RequestView {
  received: ReceivedGelf;
  /** The root span's name, `GET /api` (`_request`). */
  request: string;
  /** The HTTP status code, or '-'. */
  status: string;
  durationMs: number | undefined;
  /** When the request ended, ms since the epoch: `timestamp` (its start) + `_duration_ms`. */
  endMs: number | undefined;
  traceId: string | undefined;
  operations: OperationRow[];
  /** The annotations asked for, as `[key, value]`, in the order of the keys given. */
  annotations: Array<[string, string]>;
}

function finite(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * Reads one summary for display. `annotationKeys` are the keys the application annotates
 * with; each is its own GELF field `_<key>`.
 */
export function requestView(m: ReceivedGelf, annotationKeys: readonly string[]): RequestView {
  const msg = m.message;
  const durationMs = finite(msg._duration_ms);
  const start = finite(msg.timestamp);
  const operations = rowsOf(m);
  const annotations: Array<[string, string]> = [];
  for (const key of annotationKeys) {
    const value = msg[`_${key}`];
    if (typeof value === 'string' || typeof value === 'number') {
      annotations.push([key, String(value)]);
    }
  }
  const status = msg._http_response_status_code ?? msg._http_status_code;
  return {
    received: m,
    request: typeof msg._request === 'string' ? msg._request : '?',
    status: typeof status === 'number' || typeof status === 'string' ? String(status) : '-',
    durationMs,
    endMs: start !== undefined && durationMs !== undefined ? start * 1000 + durationMs : undefined,
    traceId: typeof msg._trace_id === 'string' ? msg._trace_id : undefined,
    operations,
    annotations,
  };
}

/** Orders requests by when they ended (those without an end time last, in arrival order). */
export function byEnd(a: RequestView, b: RequestView): number {
  return (a.endMs ?? Number.POSITIVE_INFINITY) - (b.endMs ?? Number.POSITIVE_INFINITY) || 0;
}

/** A round threshold for a query: `value` rounded down to two significant digits. */
export function roundDown(value: number): number {
  if (!(value > 0)) return 0;
  const scale = 10 ** (Math.floor(Math.log10(value)) - 1);
  // toPrecision: 98 * 0.1 is 9.800000000000001 in binary floating point.
  return Number((Math.floor(value / scale) * scale).toPrecision(2));
}

/** The value below which `fraction` of `values` fall (nearest rank); undefined when empty. */
export function percentile(values: readonly number[], fraction: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))];
}

/** True for the summary of a request to `/api` (`_request` is the root span's name, `GET /api`). */
export function isApiSummary(m: ReceivedGelf): boolean {
  const request = m.message._request;
  return typeof request === 'string' && /^[A-Z]+ \/api$/.test(request);
}

function rowsOf(m: ReceivedGelf): OperationRow[] {
  return operationsFromFullMessage(m.message) ?? operationsFromFields(m.message) ?? [];
}

/**
 * Folds the operations of many summaries into one row per operation, slowest (by max) first.
 * A summary row without a count or mean is skipped rather than guessed at.
 */
export function aggregateOperations(messages: readonly ReceivedGelf[]): OperationAggregate[] {
  const byName = new Map<string, OperationAggregate & { sumMs: number }>();
  for (const m of messages) {
    for (const row of rowsOf(m)) {
      if (row.count === undefined || row.meanMs === undefined) continue;
      let agg = byName.get(row.name);
      if (agg === undefined) {
        agg = {
          name: row.name,
          calls: 0,
          requests: 0,
          minMs: Number.POSITIVE_INFINITY,
          maxMs: Number.NEGATIVE_INFINITY,
          meanMs: 0,
          sumMs: 0,
        };
        byName.set(row.name, agg);
      }
      agg.calls += row.count;
      agg.requests += 1;
      agg.sumMs += row.meanMs * row.count;
      agg.minMs = Math.min(agg.minMs, row.minMs ?? row.meanMs);
      agg.maxMs = Math.max(agg.maxMs, row.maxMs ?? row.meanMs);
    }
  }
  return [...byName.values()]
    .map(({ sumMs, ...agg }) => ({ ...agg, meanMs: agg.calls > 0 ? sumMs / agg.calls : 0 }))
    .sort((a, b) => b.maxMs - a.maxMs || a.name.localeCompare(b.name));
}

/** Min, max and mean of `_duration_ms` over the summaries that carry it. */
export function requestDurations(messages: readonly ReceivedGelf[]): DurationStats | undefined {
  const values = messages
    .map((m) => m.message._duration_ms)
    .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (values.length === 0) return undefined;
  // A loop, not Math.min(...values): spreading a --requests 200000 run overflows the stack.
  let minMs = Number.POSITIVE_INFINITY;
  let maxMs = Number.NEGATIVE_INFINITY;
  let sumMs = 0;
  for (const v of values) {
    if (v < minMs) minMs = v;
    if (v > maxMs) maxMs = v;
    sumMs += v;
  }
  return { count: values.length, minMs, maxMs, meanMs: sumMs / values.length };
}
