/*
 * OpenTelemetry setup, loaded before the app with `node --import ./src/instrumentation.ts`
 * (as OpenTelemetry's Node docs do) so the require hooks patch `http` and `express` as they load.
 * The only line about Graylog is the span processor.
 */
import {
  context,
  DiagConsoleLogger,
  DiagLogLevel,
  diag,
  propagation,
  trace,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { GraylogSummaryProcessor } from '@otel-gelf/graylog';
import { isInProcessDownstreamRequest } from './in-process-downstream.js';

// Export failures and dropped summaries are reported through diag: show warnings and errors.
diag.setLogger(new DiagConsoleLogger(), DiagLogLevel.WARN);

const provider = new TracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'express-api' }),
  // Sends one GELF message per request to OTEL_EXPORTER_GELF_ENDPOINT
  // (default udp://127.0.0.1:12201).
  spanProcessors: [new GraylogSummaryProcessor()],
});
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(provider);
// traceparent on the outgoing fetch: the inventory service joins the same trace.
propagation.setGlobalPropagator(new W3CTraceContextPropagator());

registerInstrumentations({
  tracerProvider: provider,
  instrumentations: [
    new HttpInstrumentation({ ignoreIncomingRequestHook: isInProcessDownstreamRequest }),
    new ExpressInstrumentation(),
    new UndiciInstrumentation(),
  ],
});

// Flush the summaries still queued before the process goes.
let stopping = false;
function stop(signal: NodeJS.Signals): void {
  if (stopping) return;
  stopping = true;
  provider.shutdown().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(`tracing shutdown failed on ${signal}: ${String(error)}`);
      process.exit(1);
    },
  );
}
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
