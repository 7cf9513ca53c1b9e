import {
  createSimpleSpanProcessor,
  InMemorySpanExporter,
  type ReadableSpan,
  setupTracing,
  type Tracing,
} from '@otel-gelf-internal/sdk';
import { afterEach, beforeEach } from 'vitest';

export interface SdkHandle {
  readonly exporter: InMemorySpanExporter;
  spans(): ReadableSpan[];
  byName(name: string): ReadableSpan;
}

/** Registers a real SDK (ALS context manager, SimpleSpanProcessor, in-memory exporter) per test. */
export function useSdk(): SdkHandle {
  let tracing: Tracing | undefined;
  // A fresh exporter per test: shutting the provider down stops its exporter for good.
  let exporter = new InMemorySpanExporter();
  beforeEach(() => {
    exporter = new InMemorySpanExporter();
    tracing = setupTracing({ spanProcessors: [createSimpleSpanProcessor(exporter)] });
  });
  afterEach(async () => {
    await tracing?.shutdown();
    tracing = undefined;
  });
  return {
    get exporter() {
      return exporter;
    },
    spans: () => exporter.getFinishedSpans(),
    byName(name) {
      const found = exporter.getFinishedSpans().filter((s) => s.name === name);
      if (found.length !== 1) {
        throw new Error(`expected one span "${name}", got ${found.length}`);
      }
      return found[0]!;
    },
  };
}

/** Span ids as `parent -> child` lookups read like the assertions they serve. */
export function parentId(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}

export function spanId(span: ReadableSpan): string {
  return span.spanContext().spanId;
}

/** Nanoseconds since the epoch of an HrTime. */
export function ns(time: [number, number]): bigint {
  return BigInt(time[0]) * 1_000_000_000n + BigInt(time[1]);
}
