/*
 * An ordinary NodeSDK setup, loaded with `node --import ./src/instrumentation.ts` before the
 * app. The one line about Graylog is `spanProcessors`.
 */
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { GraylogSummaryProcessor } from '@otel-gelf/graylog';

const sdk = new NodeSDK({
  serviceName: 'nodesdk-zero-code',
  // One GELF message per request to OTEL_EXPORTER_GELF_ENDPOINT (default udp://127.0.0.1:12201).
  spanProcessors: [new GraylogSummaryProcessor()],
  instrumentations: [new HttpInstrumentation(), new ExpressInstrumentation()],
  // This example is about traces. Left out, NodeSDK 0.223 starts an OTLP metric exporter to
  // localhost:4318 (OTEL_METRICS_EXPORTER defaults to otlp), and its shutdown then waits ~8 s
  // when no collector listens. A setup that has a collector keeps its own metricReaders.
  metricReaders: [],
});
sdk.start();

// Flush the summaries still queued before the process goes.
let stopping = false;
function stop(): void {
  if (stopping) return;
  stopping = true;
  sdk.shutdown().finally(() => process.exit(0));
}
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
