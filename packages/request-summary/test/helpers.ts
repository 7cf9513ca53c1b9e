import { context, type Span, type Tracer, trace } from '@opentelemetry/api';
import {
  createSimpleSpanProcessor,
  createTracerProvider,
  InMemorySpanExporter,
} from '@otel-gelf-internal/sdk';
import {
  InMemorySummaryExporter,
  RequestSummaryProcessor,
  type RequestSummaryProcessorOptions,
} from '../src/index.js';

/** A provider (not global) with the processor under test and an InMemorySpanExporter beside it. */
export function setup(options: Partial<RequestSummaryProcessorOptions> = {}) {
  const exporter = new InMemorySummaryExporter();
  const processor = new RequestSummaryProcessor({ exporter, ...options });
  const spanExporter = new InMemorySpanExporter();
  const provider = createTracerProvider({
    spanProcessors: [processor, createSimpleSpanProcessor(spanExporter)],
    resource: { 'service.name': 'test-service', 'service.version': '1.2.3', secret: 'no' },
  });
  const tracer = provider.getTracer('test');
  return {
    exporter,
    processor,
    spanExporter,
    provider,
    tracer,
    async flush() {
      await processor.forceFlush();
      return exporter.getFinishedSummaries();
    },
    async close() {
      await provider.shutdown();
    },
  };
}

/** Starts a span under `parent` (or as a root) without a context manager. */
export function child(tracer: Tracer, name: string, parent?: Span, startMs?: number): Span {
  const ctx = parent === undefined ? context.active() : trace.setSpan(context.active(), parent);
  return tracer.startSpan(name, startMs === undefined ? {} : { startTime: startMs }, ctx);
}
