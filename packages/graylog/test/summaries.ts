import type { OperationSummary, RequestSummary } from '@otel-gelf/request-summary';

/** An operation with `count` calls, durations `ms` (the last 5 kept as samples). */
export function operation(name: string, ms: number[], errors = 0): OperationSummary {
  let sum = 0;
  for (const v of ms) sum += v;
  return {
    name,
    count: ms.length,
    minMs: Math.min(...ms),
    maxMs: Math.max(...ms),
    sumMs: sum,
    lastMs: ms.slice(-5),
    errors,
  };
}

/** A realistic request summary: a server root with three operations; `overrides` win. */
export function summary(overrides: Partial<RequestSummary> = {}): RequestSummary {
  return {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    name: 'GET /api',
    kind: 1,
    startTimeMs: 1_764_064_800_123.457,
    durationMs: 512.34567,
    status: { code: 0 },
    attributes: {
      'http.request.method': 'GET',
      'http.route': '/api',
      'http.response.status_code': 200,
    },
    resource: {
      'service.name': 'shop',
      'service.version': '1.2.3',
      'deployment.environment.name': 'prod',
    },
    operations: [
      operation('fast_stuff', [0.1234567, 0.2, 0.3, 0.15, 0.12, 0.11]),
      operation('some_slow_stuff', [500.0004]),
      operation('db.query', [3.5, 4.25], 1),
    ],
    annotations: {},
    counters: { spans: 9, folded: 0, openChildren: 0, droppedAnnotations: 0 },
    incomplete: false,
    ...overrides,
  };
}
