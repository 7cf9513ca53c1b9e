import { trace } from '@opentelemetry/api';
import {
  createSimpleSpanProcessor,
  InMemorySpanExporter,
  SDK_LINE,
  setupTracing,
} from '@otel-gelf-internal/sdk';
import { expect, it } from 'vitest';

it('wires the sdk', async () => {
  const exporter = new InMemorySpanExporter();
  const t = setupTracing({ spanProcessors: [createSimpleSpanProcessor(exporter)] });
  trace.getTracer('x').startActiveSpan('a', (s) => s.end());
  expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['a']);
  console.log('line', SDK_LINE, process.version);
  await t.shutdown();
});
