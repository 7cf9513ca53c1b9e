import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { GraylogSummaryProcessor, toGelfPayload, UdpTransport } from '@otel-gelf/graylog';
import {
  ExportResultCode,
  type RequestSummary,
  RequestSummaryProcessor,
  type SummaryExporter,
} from '@otel-gelf/request-summary';
import { CallTimer } from './call-timer.js';
import { type ConfigName, FLOOR_MESSAGE_BYTES } from './configs.js';
import { GelfSpanExporter } from './gelf-span-exporter.js';
import { IdMapProcessor, type RequestSink } from './id-map-processor.js';

/** The tracing of one service process. */
export interface Tracing {
  /** Exports everything ended so far (the work a request leaves behind counts in its CPU). */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
  /** With `timeCalls`, the timer of the processors' calls. */
  timer?: CallTimer;
}

const SINK_HOST = '127.0.0.1';

/** Drops what it is given, after `map` (nothing, or the GELF mapping): a piece of our cost. */
function droppingExporter(map: (summary: RequestSummary) => unknown): SummaryExporter {
  return {
    export(summaries, done) {
      for (const summary of summaries) map(summary);
      done({ code: ExportResultCode.SUCCESS });
    },
    shutdown: () => Promise.resolve(),
  };
}

/**
 * A GELF message of {@link FLOOR_MESSAGE_BYTES}, made once: the `floor` setup sends it as it is,
 * so that what it measures is finding each span's request and sending one message per request,
 * with no summary and no mapping.
 */
function floorMessage(): Buffer {
  const head = '{"version":"1.1","host":"bench","short_message":"floor","_pad":"';
  const tail = '"}';
  return Buffer.from(head + 'x'.repeat(FLOOR_MESSAGE_BYTES - head.length - tail.length) + tail);
}

/**
 * The `floor` setup's sends: one fixed message ({@link floorMessage}) per ended request, sent as
 * our exporter sends (its defaults: the requests of up to a second, up to 512, in one go).
 */
class FloorSends implements RequestSink {
  private readonly transport: UdpTransport;
  private readonly message = floorMessage();
  private pending = 0;
  private timer: ReturnType<typeof setTimeout> | undefined = undefined;

  constructor(sinkPort: number) {
    this.transport = new UdpTransport({ host: SINK_HOST, port: sinkPort });
  }

  requestEnded(): void {
    this.pending++;
    if (this.pending >= 512) this.sendAll();
    else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.sendAll(), 1000);
      this.timer.unref();
    }
  }

  flush(): Promise<void> {
    this.sendAll();
    return this.transport.flush(5000);
  }

  close(): Promise<void> {
    this.sendAll();
    return this.transport.close(5000);
  }

  private sendAll(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (; this.pending > 0; this.pending--) this.transport.sendBorrowed(this.message);
  }
}

/** A processor that does nothing: what the SDK's calls to one cost. */
const noopProcessor: SpanProcessor = {
  onStart: () => undefined,
  onEnd: () => undefined,
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};

function processorFor(config: ConfigName, sinkPort: number): SpanProcessor[] {
  switch (config) {
    case 'noop':
      return [noopProcessor];
    case 'id-map':
      return [new IdMapProcessor()];
    case 'floor':
      return [new IdMapProcessor(new FloorSends(sinkPort))];
    case 'summary':
      return [new RequestSummaryProcessor({ exporter: droppingExporter(() => undefined) })];
    case 'summary-noself':
      return [
        new RequestSummaryProcessor({
          exporter: droppingExporter(() => undefined),
          selfTime: false,
        }),
      ];
    case 'gelf-map':
      return [
        new RequestSummaryProcessor({
          exporter: droppingExporter((summary) => toGelfPayload(summary, { host: 'bench' })),
        }),
      ];
    case 'udp':
      return [new GraylogSummaryProcessor({ endpoint: `udp://${SINK_HOST}:${sinkPort}` })];
    case 'udp-zlib':
      return [
        new GraylogSummaryProcessor({
          endpoint: `udp://${SINK_HOST}:${sinkPort}`,
          compression: 'zlib',
        }),
      ];
    case 'tcp':
      return [new GraylogSummaryProcessor({ endpoint: `tcp://${SINK_HOST}:${sinkPort}` })];
    case 'otlp':
      return [
        new BatchSpanProcessor({
          exporter: new OTLPTraceExporter({ url: `http://${SINK_HOST}:${sinkPort}/v1/traces` }),
        }),
      ];
    case 'gelf-span':
      return [
        new BatchSpanProcessor({
          exporter: new GelfSpanExporter(new UdpTransport({ host: SINK_HOST, port: sinkPort })),
        }),
      ];
    default:
      return [];
  }
}

/**
 * Sets up the OpenTelemetry SDK for one setup, as examples/express-api does (a TracerProvider,
 * the AsyncLocalStorage context manager, the http and express instrumentations), with that
 * setup's span processor and every option at its default. `none` registers nothing: `timeit`
 * then runs over the API's no-op tracer. Must run before `express` is loaded.
 */
export function startTracing(config: ConfigName, sinkPort: number, timeCalls = false): Tracing {
  if (config === 'none') {
    return { flush: () => Promise.resolve(), shutdown: () => Promise.resolve() };
  }
  let processors = processorFor(config, sinkPort);
  const timer = timeCalls && processors.length > 0 ? new CallTimer() : undefined;
  if (timer !== undefined) processors = processors.map((p) => timer.wrap(p));
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'bench-service' }),
    spanProcessors: processors,
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [new HttpInstrumentation(), new ExpressInstrumentation()],
  });
  return {
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
    ...(timer === undefined ? {} : { timer }),
  };
}
