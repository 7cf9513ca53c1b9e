import { diag } from '@opentelemetry/api';
import {
  findOptionProblems,
  RequestSummaryProcessor,
  type RequestSummaryProcessorOptions,
} from '@otel-gelf/request-summary';
import {
  GELF_OPTION_KEYS,
  ignoredTlsNote,
  splitGelfOptions,
  tryResolveGelfConfig,
} from './config.js';
import { ConfigurationError } from './configuration-error.js';
import type { FieldBudgetStats } from './gelf-plan.js';
import {
  type GelfExporterStats,
  GelfSummaryExporter,
  type GelfSummaryExporterOptions,
} from './gelf-summary-exporter.js';
import { showValue } from './show-value.js';
import { findUnknownKeys } from './unknown-options.js';

/**
 * Options of {@link GraylogSummaryProcessor}: the processor's (samples, allowlists, bounds,
 * batching, filters; see `RequestSummaryProcessorOptions`) and where and how to send
 * ({@link GelfSummaryExporterOptions}). Everything is optional.
 */
export interface GraylogSummaryProcessorOptions
  extends Omit<RequestSummaryProcessorOptions, 'exporter'>,
    GelfSummaryExporterOptions {}

type ProcessorOptions = Omit<RequestSummaryProcessorOptions, 'exporter'>;

const OWNER = 'GraylogSummaryProcessor';

/** The processor's own option keys; `satisfies` keeps the list in step with its interface. */
const PROCESSOR_OPTION_KEYS = Object.keys({
  samples: true,
  operationKey: true,
  selfTime: true,
  isRequestRoot: true,
  attributeAllowlist: true,
  resourceAttributeAllowlist: true,
  waitForOpenChildren: true,
  maxOpenRequests: true,
  maxOperations: true,
  requestTimeoutMs: true,
  maxQueueSize: true,
  exportBatchSize: true,
  scheduledDelayMillis: true,
  exportTimeoutMillis: true,
  minDurationMs: true,
  errorsOnly: true,
  sampleRatio: true,
  filter: true,
  maxAnnotations: true,
  maxAnnotationLength: true,
  copyAnnotationsToRootSpan: true,
} satisfies Record<keyof ProcessorOptions, true>);

const KNOWN_KEYS: readonly string[] = [...GELF_OPTION_KEYS, ...PROCESSOR_OPTION_KEYS];

interface CheckedOptions {
  /** Every problem, in one list: unknown keys first (a typo explains the rest), then the first
   * GELF problem, then each invalid processor option. */
  problems: string[];
  gelf: GelfSummaryExporterOptions;
  rest: ProcessorOptions;
  /** Set when `tls` is given for an endpoint that ignores it. */
  tlsNote: string | undefined;
}

function checkOptions(options: GraylogSummaryProcessorOptions): CheckedOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    const problem = `invalid options ${showValue(options)} (expected an object)`;
    return { problems: [problem], gelf: {}, rest: {}, tlsNote: undefined };
  }
  const problems: string[] = [];
  const { exporter, ...others } = options as GraylogSummaryProcessorOptions & {
    exporter?: unknown;
  };
  if (exporter !== undefined) {
    problems.push(
      `option "exporter" cannot be given (${OWNER} sends through its own GelfSummaryExporter; use RequestSummaryProcessor for another exporter)`,
    );
  }
  problems.push(...findUnknownKeys(others, KNOWN_KEYS));
  const { gelf, rest } = splitGelfOptions<GelfSummaryExporterOptions, ProcessorOptions>(others);
  const config = tryResolveGelfConfig(gelf, gelf.env ?? process.env);
  let tlsNote: string | undefined;
  if (typeof config === 'string') problems.push(config);
  else tlsNote = ignoredTlsNote(gelf, config.endpoint);
  problems.push(...findOptionProblems(rest));
  return { problems, gelf, rest, tlsNote };
}

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

  /**
   * @throws {@link ConfigurationError} listing every problem, before any socket is opened: an
   * unknown option key, an invalid GELF option or `OTEL_EXPORTER_GELF_*` variable, an invalid
   * processor option (which `RequestSummaryProcessor` alone would only clamp with a warning)
   */
  constructor(options: GraylogSummaryProcessorOptions = {}) {
    const { problems, gelf, rest, tlsNote } = checkOptions(options);
    if (problems.length === 1) throw new ConfigurationError(`${OWNER}: ${problems[0]}`);
    if (problems.length > 1) {
      throw new ConfigurationError(`${OWNER}: ${problems.length} problems: ${problems.join('; ')}`);
    }
    if (tlsNote !== undefined) {
      // Once, at construction; left out, it cannot make the exporter warn a second time.
      diag.warn(`${OWNER}: ${tlsNote}`);
      delete gelf.tls;
    }
    let exporter: GelfSummaryExporter;
    try {
      exporter = new GelfSummaryExporter(gelf);
    } catch (err) {
      const Kind = err instanceof ConfigurationError ? ConfigurationError : Error;
      throw new Kind((err as Error).message.replace(/^GelfSummaryExporter:/, `${OWNER}:`), {
        cause: err,
      });
    }
    // The exporter answers within twice its timeout (hand-over, then outcomes): the queue must
    // not give up on a batch first, or it would count as failed what is then delivered.
    const exportTimeoutMillis =
      rest.exportTimeoutMillis ?? Math.max(30_000, 2 * exporter.timeoutMillis + 5000);
    super({ ...rest, exporter, exportTimeoutMillis });
    this.gelfExporter = exporter;
  }

  /** Counters of the GELF side: messages sent, dropped, failed, bytes, socket errors. */
  gelfStats(): GelfExporterStats {
    return this.gelfExporter.stats();
  }

  /**
   * Counters of the field budget: distinct field names the messages may carry, operations with
   * `_op_*` fields, shapes with folded operations or refused keys, type conflicts.
   */
  fieldStats(): FieldBudgetStats {
    return this.gelfExporter.fieldStats();
  }
}
