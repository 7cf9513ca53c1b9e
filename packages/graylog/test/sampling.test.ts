import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace } from '@opentelemetry/api';
import { createGelfReceiver, type GelfReceiver } from '@otel-gelf/gelf-tail';
import {
  createBatchSpanProcessor,
  createRatioSampler,
  createTracerProvider,
  InMemorySpanExporter,
} from '@otel-gelf-internal/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GraylogSummaryProcessor } from '../src/index.js';

const REQUESTS = 300;

/** An incoming `traceparent` whose flags are 00: the caller did not sample the trace. */
function unsampledRemoteParent(i: number) {
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: (i + 1).toString(16).padStart(32, 'a'),
    spanId: (i + 1).toString(16).padStart(16, 'b'),
    traceFlags: TraceFlags.NONE,
    isRemote: true,
  });
}

describe('GraylogSummaryProcessor under trace sampling (ParentBased(TraceIdRatioBased(0.01)))', () => {
  let receiver: GelfReceiver;
  beforeEach(async () => {
    receiver = await createGelfReceiver({ tcp: 0 });
  });
  afterEach(async () => {
    await receiver.close();
  });

  /** Runs 300 requests: every 10th fails, every 3rd comes with an unsampled traceparent. */
  async function run(alwaysRecord: boolean) {
    const spans = new InMemorySpanExporter();
    const processor = new GraylogSummaryProcessor({
      endpoint: `tcp://127.0.0.1:${receiver.ports.tcp}`,
    });
    const provider = createTracerProvider({
      sampler: createRatioSampler(0.01, alwaysRecord),
      spanProcessors: [createBatchSpanProcessor(spans), processor],
    });
    const tracer = provider.getTracer('sampling-test');
    for (let i = 0; i < REQUESTS; i++) {
      const parent = i % 3 === 0 ? unsampledRemoteParent(i) : ROOT_CONTEXT;
      const root = tracer.startSpan(`GET /r${i}`, { kind: SpanKind.SERVER }, parent);
      const inRoot = trace.setSpan(parent, root);
      for (let k = 0; k < 2; k++) tracer.startSpan('fast_stuff', {}, inRoot).end();
      if (i % 10 === 0) root.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
      root.end();
    }
    await provider.forceFlush();
    const exported = spans.getFinishedSpans();
    await provider.shutdown();
    return { exported, stats: processor.stats(), gelf: processor.gelfStats() };
  }

  it('summarises 300/300 requests with always-record while ~1 % of traces are exported', async () => {
    const { exported, stats } = await run(true);
    const messages = await receiver.waitForMessages(REQUESTS, 10_000);
    expect(messages).toHaveLength(REQUESTS);
    expect(stats.exported).toBe(REQUESTS);
    const byName = new Map(messages.map((m) => [m.message._request as string, m.message]));
    // every request, failed ones and unsampled incoming ones included
    for (let i = 0; i < REQUESTS; i++) {
      const m = byName.get(`GET /r${i}`);
      expect(m, `GET /r${i}`).toBeDefined();
      expect(m!._op_fast_stuff_count).toBe(2);
      expect(m!.level).toBe(i % 10 === 0 ? 3 : 6);
      if (i % 3 === 0) expect(m!._trace_sampled).toBe(0);
    }
    // the tracing backend gets only sampled traces, and _trace_sampled says which those are
    const exportedTraces = new Set(exported.map((s) => s.spanContext().traceId));
    const sampledInGelf = new Set(
      messages.filter((m) => m.message._trace_sampled === 1).map((m) => m.message._trace_id),
    );
    expect(sampledInGelf).toEqual(exportedTraces);
    // 200 root decisions at 1 %: far fewer than the 300 requests (P(more than 20) < 1e-12)
    expect(exportedTraces.size).toBeLessThanOrEqual(20);
    expect(exported.every((s) => (s.spanContext().traceFlags & TraceFlags.SAMPLED) === 1)).toBe(
      true,
    );
  });

  it('without always-record summarises only the sampled few (why the README recommends it)', async () => {
    const { exported, stats } = await run(false);
    const exportedTraces = new Set(exported.map((s) => s.spanContext().traceId));
    expect(stats.exported).toBe(exportedTraces.size);
    expect(stats.exported).toBeLessThan(REQUESTS / 10);
  });
});
