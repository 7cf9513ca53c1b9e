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
