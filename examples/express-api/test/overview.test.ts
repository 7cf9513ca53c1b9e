import type { ReceivedGelf } from '@otel-gelf/gelf-tail';
import { describe, expect, it } from 'vitest';
import {
  aggregateOperations,
  byEnd,
  isApiSummary,
  percentile,
  requestDurations,
  requestView,
  roundDown,
} from '../src/overview.js';

function received(message: Record<string, unknown>): ReceivedGelf {
  return {
    message,
    transport: 'udp',
    remote: '127.0.0.1:1',
    bytes: 100,
    compression: 'none',
    chunks: 1,
    violations: [],
    receivedAt: 0,
  };
}

const first = received({
  _request: 'GET /api',
  _duration_ms: 100,
  full_message: JSON.stringify({
    some_slow_stuff: { num_calls: 1, min: 80, max: 80, mean: 80, values: [80] },
    fast_stuff: { num_calls: 13, min: 1, max: 2, mean: 1.5, values: [1, 2] },
  }),
});
const second = received({
  _request: 'POST /api',
  _duration_ms: 300,
  // no full_message: read from the _op_ fields
  _op_some_slow_stuff_count: 1,
  _op_some_slow_stuff_min_ms: 250,
  _op_some_slow_stuff_max_ms: 250,
  _op_some_slow_stuff_mean_ms: 250,
  _op_fast_stuff_count: 13,
  _op_fast_stuff_min_ms: 0.5,
  _op_fast_stuff_max_ms: 3,
  _op_fast_stuff_mean_ms: 2.5,
});

describe('overview', () => {
  it('folds operations over requests, slowest (by max) first', () => {
    expect(aggregateOperations([first, second])).toEqual([
      { name: 'some_slow_stuff', calls: 2, requests: 2, minMs: 80, maxMs: 250, meanMs: 165 },
      { name: 'fast_stuff', calls: 26, requests: 2, minMs: 0.5, maxMs: 3, meanMs: 2 },
    ]);
  });

  it('reports request durations from _duration_ms', () => {
    expect(requestDurations([first, second])).toEqual({
      count: 2,
      minMs: 100,
      maxMs: 300,
      meanMs: 200,
    });
    expect(requestDurations([received({})])).toBeUndefined();
  });

  it('reports the durations of a run too long to spread into Math.min', () => {
    const many = Array.from({ length: 200_000 }, (_, i) => received({ _duration_ms: i + 1 }));
    expect(requestDurations(many)).toEqual({
      count: 200_000,
      minMs: 1,
      maxMs: 200_000,
      meanMs: 100_000.5,
    });
  });

  it('tells /api summaries from others by _request', () => {
    expect(isApiSummary(first)).toBe(true);
    expect(isApiSummary(received({ _request: 'GET /inventory' }))).toBe(false);
    expect(isApiSummary(received({ _request: 'GET /api/other' }))).toBe(false);
    expect(isApiSummary(received({}))).toBe(false);
  });

  it('reads a request for display: end time, status, every sample, the annotations asked for', () => {
    const view = requestView(
      received({
        ...first.message,
        timestamp: 1_764_000_000.5,
        _http_response_status_code: 200,
        _user_id: 'u-1',
        _cache: 'hit',
        _other: 'x',
      }),
      ['user_id', 'cache', 'absent'],
    );
    expect(view).toMatchObject({
      request: 'GET /api',
      status: '200',
      durationMs: 100,
      endMs: 1_764_000_000_600,
      annotations: [
        ['user_id', 'u-1'],
        ['cache', 'hit'],
      ],
    });
    expect(view.operations.find((o) => o.name === 'fast_stuff')!.samplesMs).toEqual([1, 2]);
    const later = requestView(received({ timestamp: 1_764_000_000, _duration_ms: 900 }), []);
    const unknown = requestView(received({}), []);
    expect([unknown, later, view].sort(byEnd)).toEqual([view, later, unknown]);
  });

  it('rounds query thresholds down to two significant digits, from a nearest-rank percentile', () => {
    expect([roundDown(287.4), roundDown(61.05), roundDown(9.87), roundDown(0)]).toEqual([
      280, 61, 9.8, 0,
    ]);
    const values = Array.from({ length: 50 }, (_, i) => i + 1);
    expect(percentile(values, 0.9)).toBe(45);
    expect(percentile([], 0.9)).toBeUndefined();
  });
});
