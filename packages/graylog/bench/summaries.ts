/** The bench's summaries: one realistic request shape, 1024 instances made once, reused. */
import type { RequestSummary } from '@otel-gelf/request-summary';

const SUMMARIES: RequestSummary[] = [];
/** Summary `i` (of 1024 made up front, so building them is not part of any measurement). */
export function summary(i: number): RequestSummary {
  if (SUMMARIES.length === 0) for (let k = 0; k < 1024; k++) SUMMARIES.push(makeSummary(k));
  return SUMMARIES[i % 1024]!;
}

/**
 * A realistic request: a server root, 3 operations, allowlisted attributes, a resource; its
 * message fits one 1420-byte datagram.
 */
function makeSummary(i: number): RequestSummary {
  return {
    traceId: (0x10000000 + i).toString(16).padStart(32, 'a'),
    spanId: (0x1000 + i).toString(16).padStart(16, 'b'),
    name: 'GET /orders/:id',
    kind: 1,
    startTimeMs: 1_764_064_800_123 + i,
    durationMs: 48.123456 + (i % 7),
    status: { code: 0 },
    attributes: {
      'http.request.method': 'GET',
      'http.route': '/orders/:id',
      'http.response.status_code': 200,
    },
    resource: { 'service.name': 'orders', 'service.version': '1.4.2' },
    operations: [
      {
        name: 'fast_stuff',
        count: 13,
        minMs: 0.0412,
        maxMs: 0.3311,
        sumMs: 1.9123,
        lastMs: [0.05, 0.061, 0.044, 0.3311, 0.0412],
        errors: 0,
      },
      {
        name: 'slow_stuff',
        count: 1,
        minMs: 40.5,
        maxMs: 40.5,
        sumMs: 40.5,
        lastMs: [40.5],
        errors: 0,
      },
      {
        name: 'db',
        count: 3,
        minMs: 1.25,
        maxMs: 2.875,
        sumMs: 5.5,
        lastMs: [1.25, 1.375, 2.875],
        errors: 0,
      },
    ],
    annotations: {},
    counters: { spans: 17, folded: 0, openChildren: 0, droppedAnnotations: 0 },
    incomplete: false,
  };
}
