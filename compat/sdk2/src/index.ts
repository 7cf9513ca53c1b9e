/**
 * Test wiring for OpenTelemetry SDK 2.x (Node >= 20.6, api >= 1.3 < 1.10).
 *
 * Every test suite gets SDK classes and instrumentations from `@otel-gelf-internal/sdk`, which
 * vitest points at this package or at compat/sdk3, so one suite runs against both SDK lines.
 * Both packages export the same names with the same meaning.
 */
import { createRequire } from 'node:module';
import { context, propagation, type TextMapPropagator, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
// createAlwaysRecordSampler is in sdk-trace 2.12, not in sdk-trace-base.
import {
  createAlwaysRecordSampler,
  ParentBasedSampler,
  type Sampler,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';

export { registerInstrumentations } from '@opentelemetry/instrumentation';
export { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
export { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
export { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
export type { ReadableSpan, SpanExporter, SpanProcessor };
export { AsyncLocalStorageContextManager, InMemorySpanExporter };

/** Which SDK line this wiring is for. */
export const SDK_LINE = 2 as const;

/** The name of the tracer provider class of this line (`BasicTracerProvider` on 2.x). */
export const PROVIDER_CLASS = BasicTracerProvider.name;

/** A `require` resolving from this package: load `express` and `node:http` after instrumenting. */
export const requireFromSdk = createRequire(import.meta.url);

export interface ProviderOptions {
  spanProcessors: SpanProcessor[];
  /** Resource attributes; `service.name` among them. */
  resource?: Record<string, string>;
  /** A sampler of this line (see {@link createRatioSampler}); the SDK default otherwise. */
  sampler?: Sampler;
}

/**
 * `ParentBased(TraceIdRatioBased(ratio))`, inside `createAlwaysRecordSampler` when
 * `alwaysRecord` (every span recorded, only the ratio sampled), as the README's Sampling section
 * sets it up.
 */
export function createRatioSampler(ratio: number, alwaysRecord: boolean): Sampler {
  const sampler = new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
  return alwaysRecord ? createAlwaysRecordSampler(sampler) : sampler;
}

/** A tracer provider of this line, not registered globally. */
export function createTracerProvider(options: ProviderOptions): BasicTracerProvider {
  return new BasicTracerProvider({
    spanProcessors: options.spanProcessors,
    ...(options.sampler === undefined ? {} : { sampler: options.sampler }),
    resource: resourceFromAttributes(options.resource ?? { 'service.name': 'test-service' }),
  });
}

/** A `SimpleSpanProcessor` of this line around `exporter` (the constructors differ between lines). */
export function createSimpleSpanProcessor(exporter: SpanExporter): SpanProcessor {
  return new SimpleSpanProcessor(exporter);
}

/** A `BatchSpanProcessor` of this line around `exporter`. */
export function createBatchSpanProcessor(exporter: SpanExporter): SpanProcessor {
  return new BatchSpanProcessor(exporter);
}

export interface Tracing {
  provider: BasicTracerProvider;
  /** Shuts the provider down and resets the global API (tracer provider, context, propagation). */
  shutdown(): Promise<void>;
}

/**
 * Registers a provider globally with the AsyncLocalStorage context manager and the W3C trace
 * context propagator, as `NodeTracerProvider.register()` would.
 */
export function setupTracing(options: ProviderOptions): Tracing {
  const provider = createTracerProvider(options);
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  trace.setGlobalTracerProvider(provider);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator() as TextMapPropagator);
  return {
    provider,
    async shutdown() {
      await provider.shutdown();
      resetGlobals();
    },
  };
}

/** Unregisters every global the api holds (tracer provider, context manager, propagator). */
export function resetGlobals(): void {
  trace.disable();
  context.disable();
  propagation.disable();
}
