import {
  RequestSummaryProcessor,
  type RequestSummaryProcessorOptions,
} from '@otel-gelf/request-summary';
import { resolveGelfConfig, splitGelfOptions } from './config.js';
import {
  type GelfExporterStats,
  GelfSummaryExporter,
  type GelfSummaryExporterOptions,
} from './gelf-summary-exporter.js';

/**
 * Options of {@link GraylogSummaryProcessor}: the processor's (samples, allowlists, bounds,
 * batching, filters; see `RequestSummaryProcessorOptions`) and where and how to send
 * ({@link GelfSummaryExporterOptions}). Everything is optional.
 */
export interface GraylogSummaryProcessorOptions
  extends Omit<RequestSummaryProcessorOptions, 'exporter'>,
    GelfSummaryExporterOptions {}

const OWNER = 'GraylogSummaryProcessor';

/**
 * The one span processor to register: a `RequestSummaryProcessor` that sends one GELF message per
 * request to Graylog.
 *
 * ```ts
 * new TracerProvider({ spanProcessors: [new GraylogSummaryProcessor({ endpoint: 'udp://graylog:12201' })] });
 * ```
 *
 * Without `endpoint` it reads `OTEL_EXPORTER_GELF_ENDPOINT` (and the other `OTEL_EXPORTER_GELF_*`
 * variables); without any, it sends to `udp://127.0.0.1:12201`. An invalid configuration throws
 * here, once, with a message naming the bad value; after construction nothing throws.
 */
export class GraylogSummaryProcessor extends RequestSummaryProcessor {
  private readonly gelfExporter: GelfSummaryExporter;

  /** @throws Error naming the bad value when the GELF configuration is invalid */
  constructor(options: GraylogSummaryProcessorOptions = {}) {
    const { gelf: gelfOptions, rest: processorOptions } = splitGelfOptions<
      GelfSummaryExporterOptions,
      Omit<RequestSummaryProcessorOptions, 'exporter'>
    >(options);
    // Validate under our own name, so the error says which class the user configured.
    resolveGelfConfig(gelfOptions, gelfOptions.env ?? process.env, OWNER);
    let exporter: GelfSummaryExporter;
    try {
      exporter = new GelfSummaryExporter(gelfOptions);
    } catch (err) {
      throw new Error((err as Error).message.replace(/^GelfSummaryExporter:/, `${OWNER}:`));
    }
    super({ ...processorOptions, exporter });
    this.gelfExporter = exporter;
  }

  /** Counters of the GELF side: messages sent, dropped, failed, bytes, socket errors. */
  gelfStats(): GelfExporterStats {
    return this.gelfExporter.stats();
  }
}
