import { hostname } from 'node:os';
import { type ExportResult, ExportResultCode, hrTimeToMilliseconds } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import type { GelfTransport } from '@otel-gelf/graylog';

const ERROR = 2;

/**
 * How the existing OpenTelemetry → Graylog span exporters work, as the benchmark's peer: one GELF
 * message per span (name, ids, duration, kind, its attributes and the resource's, dots turned
 * into `_`), `JSON.stringify`, sent through one of our transports. Minimal on purpose: no field
 * sanitising or size bounds, which only the real exporters would add on top.
 */
export class GelfSpanExporter implements SpanExporter {
  private readonly transport: GelfTransport;
  private readonly host = hostname();

  constructor(transport: GelfTransport) {
    this.transport = transport;
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    for (const span of spans) {
      this.transport.send(Buffer.from(JSON.stringify(this.message(span))));
    }
    resultCallback({ code: ExportResultCode.SUCCESS });
  }

  forceFlush(): Promise<void> {
    return this.transport.flush(5000);
  }

  shutdown(): Promise<void> {
    return this.transport.close(5000);
  }

  private message(span: ReadableSpan): Record<string, string | number> {
    const context = span.spanContext();
    const startMs = hrTimeToMilliseconds(span.startTime);
    const message: Record<string, string | number> = {
      version: '1.1',
      host: this.host,
      short_message: span.name,
      timestamp: Math.round(startMs) / 1000,
      level: span.status.code === ERROR ? 3 : 6,
      _trace_id: context.traceId,
      _span_id: context.spanId,
      _duration_ms: Math.round(hrTimeToMilliseconds(span.duration) * 1000) / 1000,
      _span_kind: span.kind,
    };
    if (span.parentSpanContext !== undefined) {
      message._parent_span_id = span.parentSpanContext.spanId;
    }
    addFields(message, span.resource.attributes);
    addFields(message, span.attributes);
    return message;
  }
}

function addFields(message: Record<string, string | number>, attributes: object): void {
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null) continue;
    message[`_${key.replaceAll('.', '_')}`] = typeof value === 'number' ? value : String(value);
  }
}
