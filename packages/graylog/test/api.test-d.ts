import type { RequestSummary, SummaryExporter } from '@otel-gelf/request-summary';
import type { SpanProcessor } from '@otel-gelf-internal/sdk';
import { describe, expectTypeOf, it } from 'vitest';
import {
  type GelfCompression,
  type GelfExporterStats,
  type GelfLossReason,
  type GelfMessage,
  type GelfOutcome,
  type GelfOutcomeCallback,
  GelfSummaryExporter,
  type GelfTransport,
  type GelfTransportStats,
  GraylogSummaryProcessor,
  type GraylogSummaryProcessorOptions,
  toGelf,
  toGelfPayload,
  UdpTransport,
} from '../src/index.js';

describe('the public @otel-gelf/graylog API', () => {
  it('GraylogSummaryProcessor is an SDK span processor with all-optional options', () => {
    expectTypeOf(GraylogSummaryProcessor).toBeConstructibleWith();
    expectTypeOf(GraylogSummaryProcessor).toBeConstructibleWith({
      endpoint: 'udp://graylog:12201',
      compression: 'auto',
      samples: 5,
      scheduledDelayMillis: 10,
      tls: { rejectUnauthorized: false },
    });
    expectTypeOf<GraylogSummaryProcessor>().toMatchTypeOf<SpanProcessor>();
    expectTypeOf<GraylogSummaryProcessor['gelfStats']>().returns.toEqualTypeOf<GelfExporterStats>();
    expectTypeOf<GraylogSummaryProcessorOptions>().not.toHaveProperty('exporter');
  });

  it('GelfSummaryExporter is a SummaryExporter', () => {
    expectTypeOf<GelfSummaryExporter>().toMatchTypeOf<SummaryExporter>();
    expectTypeOf<GelfExporterStats>().toMatchTypeOf<GelfTransportStats>();
    expectTypeOf(GelfSummaryExporter).toBeConstructibleWith({
      transport: new UdpTransport({ host: 'h', port: 1 }),
    });
  });

  it('toGelf maps a summary to a GELF message, toGelfPayload to its bytes', () => {
    expectTypeOf(toGelf).parameter(0).toEqualTypeOf<RequestSummary>();
    expectTypeOf(toGelf).returns.toEqualTypeOf<GelfMessage | undefined>();
    expectTypeOf(toGelfPayload).returns.toEqualTypeOf<Buffer | undefined>();
    expectTypeOf<GelfMessage['version']>().toEqualTypeOf<'1.1'>();
    expectTypeOf<GelfMessage['_op_fast_stuff_count']>().toEqualTypeOf<string | number>();
  });

  it('transports share one interface', () => {
    expectTypeOf<UdpTransport>().toMatchTypeOf<GelfTransport>();
    expectTypeOf<GelfTransport['send']>().returns.toBeBoolean();
    expectTypeOf<GelfTransport['send']>()
      .parameter(1)
      .toEqualTypeOf<GelfOutcomeCallback | undefined>();
    expectTypeOf<GelfOutcome>().toEqualTypeOf<'sent' | GelfLossReason>();
    expectTypeOf<GelfTransportStats['lost']>().toEqualTypeOf<Record<GelfLossReason, number>>();
    expectTypeOf<GelfCompression>().toEqualTypeOf<'none' | 'gzip' | 'zlib' | 'auto'>();
  });
});
