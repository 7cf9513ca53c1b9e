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

const SERVICE_SUMMARIES: RequestSummary[] = [];
/**
 * Summary `i` of the whole-service benchmark's request (bench/service: `GET /api`, 1
 * `some_slow_stuff` + 13 `fast_stuff` through timeit, http + express instrumentation, self time
 * on): 4 operations, 8 allowlisted attributes, the breakdown; a 1.7 KB message, two 1420-byte
 * datagrams. Taken from a real run of that service, the ids and durations varied per instance.
 */
export function serviceSummary(i: number): RequestSummary {
  if (SERVICE_SUMMARIES.length === 0) {
    for (let k = 0; k < 1024; k++) SERVICE_SUMMARIES.push(makeServiceSummary(k));
  }
  return SERVICE_SUMMARIES[i % 1024]!;
}

function makeServiceSummary(i: number): RequestSummary {
  const d = i * 0.00137;
  const op = (name: string, count: number, ms: number, selfMs: number, lastMs: number[]) => ({
    name,
    count,
    minMs: Math.min(...lastMs),
    maxMs: Math.max(...lastMs),
    sumMs: ms,
    lastMs,
    errors: 0,
    selfMs,
  });
  return {
    traceId: (0x10000000 + i).toString(16).padStart(32, 'c'),
    spanId: (0x1000 + i).toString(16).padStart(16, 'd'),
    name: 'GET /api',
    kind: 1,
    startTimeMs: 1_796_134_094_537 + i * 7,
    durationMs: 18.665368 + d,
    status: { code: 0 },
    attributes: {
      'http.request.method': 'GET',
      'url.scheme': 'http',
      'server.address': '127.0.0.1',
      'network.protocol.version': '1.1',
      'url.path': '/api',
      'server.port': 40047,
      'http.response.status_code': 200,
      'http.route': '/api',
    },
    resource: { 'service.name': 'bench-service' },
    operations: [
      op('middleware - jsonParser', 1, 0.063775 + d, 0.063775 + d, [0.063775 + d]),
      op('some_slow_stuff', 1, 4.570993 + d, 4.570993 + d, [4.570993 + d]),
      op('fast_stuff', 13, 12.215786 + d, 12.215786 + d, [
        0.940766 + d,
        0.885454,
        1.002838 + d,
        0.964822,
        1.317134 + d,
      ]),
      op('request handler', 1, 18.338723 + d, 1.947051 + d, [18.338723 + d]),
    ],
    annotations: {},
    counters: { spans: 16, folded: 0, openChildren: 0, droppedAnnotations: 0 },
    incomplete: false,
    sampled: true,
    selfMs: 0.326645 + d,
    breakdown: {
      db: { count: 0, ms: 0 },
      httpClient: { count: 0, ms: 0 },
      rpc: { count: 0, ms: 0 },
      messaging: { count: 0, ms: 0 },
      other: { count: 16, ms: 18.338723 + d },
    },
  };
}
