import { setTimeout as sleep } from 'node:timers/promises';
import { type Span, SpanKind, trace } from '@opentelemetry/api';
import { timeit } from '@otel-gelf/timeit';
import {
  createSimpleSpanProcessor,
  InMemorySpanExporter,
  type ReadableSpan,
} from '@otel-gelf-internal/sdk';
import { describe, expect, it } from 'vitest';
import { InMemorySummaryExporter, RequestSummaryProcessor } from '../src/index.js';
import { close, listen, useInstrumentedHttp } from './helpers.js';
import { expectedTimes, type OracleSpan } from './self-time-oracle.js';

const exporter = new InMemorySummaryExporter();
const processor = new RequestSummaryProcessor({ exporter });
// The spans themselves, captured beside the processor: what the summary is checked against.
const spanExporter = new InMemorySpanExporter();
const loaded = useInstrumentedHttp([processor, createSimpleSpanProcessor(spanExporter)]);

/** A span shaped like instrumentation-pg's: CLIENT, with the database's semantic conventions. */
function pgSpan<T>(name: string, work: () => Promise<T>): Promise<T> {
  return trace.getTracer('pg-shaped').startActiveSpan(
    name,
    {
      kind: SpanKind.CLIENT,
      attributes: { 'db.system': 'postgresql', 'db.namespace': 'app', 'server.port': 5432 },
    },
    async (span: Span) => {
      try {
        return await work();
      } finally {
        span.end();
      }
    },
  );
}

const render = timeit(function render(rows: unknown[]) {
  return JSON.stringify(rows);
});

const ms = (t: readonly [number, number]) => t[0] * 1e3 + t[1] / 1e6;

/** The spans of one request, their times in ms from the second its root started in. */
function toOracle(spans: ReadableSpan[]): OracleSpan[] {
  // Epoch milliseconds as doubles keep only ~0.2 µs: count from a nearby second instead.
  const base = spans.find((s) => s.parentSpanContext === undefined)!.startTime[0];
  const rel = (t: readonly [number, number]) => (t[0] - base) * 1e3 + t[1] / 1e6;
  return spans.map((s) => ({
    id: s.spanContext().spanId,
    parent: s.parentSpanContext?.spanId,
    name: s.name,
    start: rel(s.startTime),
    end: rel(s.endTime),
    kind: s.attributes['db.system'] !== undefined ? 'db' : 'other',
  }));
}

describe('RequestSummaryProcessor self time with Express and pg-shaped spans', () => {
  it('gives each span its self time, and the db breakdown, exactly as the captured spans say', async () => {
    const app = loaded.express();
    app.use(function auth(_req: unknown, _res: unknown, next: () => void) {
      next();
    });
    app.get('/orders', async (_req: unknown, res: { send(b: string): void }) => {
      await pgSpan('pg-pool.connect', () => sleep(2));
      // Two queries at once, as `Promise.all([client.query(a), client.query(b)])` runs them.
      const [orders, customers] = await Promise.all([
        pgSpan('pg.query:SELECT app', () => sleep(15).then(() => ['order'])),
        pgSpan('pg.query:SELECT app', () => sleep(8).then(() => ['customer'])),
      ]);
      await sleep(3); // the handler's own work
      res.send(render([...orders, ...customers]));
    });
    const server = loaded.http.createServer(app);
    const url = `${await listen(server)}/orders`;
    try {
      for (let i = 0; i < 3; i++) {
        const r = await fetch(url);
        expect(r.status).toBe(200);
        await r.text();
      }
      await processor.forceFlush();
    } finally {
      await close(server);
    }
    const summaries = exporter.getFinishedSummaries();
    expect(summaries).toHaveLength(3);
    for (const summary of summaries) {
      const spans = spanExporter
        .getFinishedSpans()
        .filter((s) => s.spanContext().traceId === summary.traceId);
      expect(spans.length).toBe(summary.counters.spans + 1);
      const expected = expectedTimes(toOracle(spans));
      expect(summary.selfMs).toBeCloseTo(expected.selfMs, 6);
      expect(summary.operations.map((o) => o.name).sort()).toEqual(
        [...expected.operations.keys()].sort(),
      );
      for (const o of summary.operations) {
        expect(o.selfMs, o.name).toBeCloseTo(expected.operations.get(o.name)!, 6);
      }
      expect(summary.breakdown!.db.count).toBe(3);
      expect(summary.breakdown!.db.ms).toBeCloseTo(expected.breakdown.db.ms, 6);
      expect(summary.breakdown!.other.count).toBe(expected.breakdown.other.count);
      expect(summary.breakdown!.other.ms).toBeCloseTo(expected.breakdown.other.ms, 6);
      // The two queries overlapped: the db time is less than the sum of the db spans.
      const dbSum = spans
        .filter((s) => s.attributes['db.system'] !== undefined)
        .reduce((sum, s) => sum + ms(s.duration), 0);
      expect(summary.breakdown!.db.ms).toBeLessThan(dbSum);
      // The self times add up to the request's duration, plus the time counted twice because
      // the two queries ran at once, plus the time Express's handler span ran on after the
      // server span ended (it ends on the response's 'close').
      const total = summary.operations.reduce((sum, o) => sum + o.selfMs!, summary.selfMs!);
      expect(total).toBeCloseTo(summary.durationMs + expected.excessMs, 6);
    }
  });
});
