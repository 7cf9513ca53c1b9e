import { hostname } from 'node:os';
import { diag } from '@opentelemetry/api';
import type {
  RequestSummary,
  SummaryExporter,
  SummaryExportResult,
} from '@otel-gelf/request-summary';
import { type Environment, type GelfOptions, ignoredTlsNote, resolveGelfConfig } from './config.js';
import { ConfigurationError } from './configuration-error.js';
import { createTransport } from './create-transport.js';
import { FieldBudget, type FieldBudgetStats } from './gelf-plan.js';
import { RateLimitedWarning } from './rate-limited-warning.js';
import { toGelfPayload } from './to-gelf.js';
import type { GelfTransport, GelfTransportStats } from './types.js';

/** Options of {@link GelfSummaryExporter}: where and how to send (see {@link GelfOptions}). */
export interface GelfSummaryExporterOptions extends GelfOptions {
  /** Environment variables to read instead of `process.env` (tests, embedding). */
  env?: Environment;
}

/**
 * Counters of a {@link GelfSummaryExporter}: its transport's, with `dropped` also counting
 * summaries given up before the transport (too large even after folding, mapping errors, export
 * after shutdown).
 */
export interface GelfExporterStats extends GelfTransportStats {
  /** Summaries handed to `export`. */
  exported: number;
}

// Export results in the shape of @opentelemetry/core's ExportResultCode (0 success, 1 failed).
const SUCCESS: SummaryExportResult = { code: 0 };

/**
 * A {@link SummaryExporter} that maps each request summary to one GELF message ({@link toGelf})
 * and sends it over UDP, TCP, TLS, HTTP(S) or gelf-pro, chosen by the endpoint URL.
 *
 * It never throws into the application: every `export` calls its callback exactly once (FAILED
 * when a message was dropped, or after shutdown), and network trouble is counted ({@link stats})
 * and reported through a rate-limited `diag.warn`.
 */
export class GelfSummaryExporter implements SummaryExporter {
  private readonly transport: GelfTransport;
  private readonly host: string;
  private readonly timeoutMillis: number;
  private readonly budget: FieldBudget;
  private readonly warning = new RateLimitedWarning();
  private shutdownPromise: Promise<void> | undefined;
  private exported = 0;
  private dropped = 0;

  /** @throws {@link ConfigurationError} naming the bad value when the configuration is invalid */
  constructor(options: GelfSummaryExporterOptions = {}) {
    const config = resolveGelfConfig(options, options.env ?? process.env, 'GelfSummaryExporter');
    const note = ignoredTlsNote(options, config.endpoint);
    if (note !== undefined) diag.warn(`GelfSummaryExporter: ${note}`);
    // Once per exporter, never per message.
    this.host = config.host ?? hostname();
    this.timeoutMillis = config.timeoutMillis;
    this.budget = new FieldBudget(config.fields);
    try {
      this.transport = createTransport(config);
    } catch (err) {
      // Keep the kind: a configuration conflict (gelf-pro's one configuration) stays one.
      const Kind = err instanceof ConfigurationError ? ConfigurationError : Error;
      throw new Kind(`GelfSummaryExporter: ${(err as Error).message}`, { cause: err });
    }
  }

  export(summaries: RequestSummary[], resultCallback: (result: SummaryExportResult) => void): void {
    let result = SUCCESS;
    if (this.shutdownPromise !== undefined) {
      this.dropped += summaries.length;
      result = { code: 1, error: new Error('GelfSummaryExporter is shut down') };
    } else {
      let refused = 0;
      let problem: unknown;
      const options = {
        host: this.host,
        maxBytes: this.transport.maxPayloadBytes,
        budget: this.budget,
      };
      for (const summary of summaries) {
        this.exported++;
        try {
          const payload = toGelfPayload(summary, options);
          if (payload === undefined) {
            // Too large even after folding: dropped before the transport, so counted here.
            refused++;
            this.dropped++;
          } else if (!this.transport.send(payload)) {
            refused++;
          }
        } catch (err) {
          refused++;
          this.dropped++;
          problem = err;
        }
      }
      if (problem !== undefined)
        this.warning.warn('GelfSummaryExporter: a summary could not be sent', problem);
      if (refused > 0) {
        result = {
          code: 1,
          error: new Error(
            `GelfSummaryExporter: ${refused} of ${summaries.length} messages dropped`,
          ),
        };
      }
    }
    try {
      resultCallback(result);
    } catch (err) {
      diag.error('GelfSummaryExporter: export result callback threw', err);
    }
  }

  /** Waits until every message handed over so far is sent or failed (at most `timeoutMillis`). */
  forceFlush(): Promise<void> {
    return this.transport.flush(this.timeoutMillis).catch((err: unknown) => {
      diag.error('GelfSummaryExporter: flush failed', err);
    });
  }

  /** Flushes, then closes the sockets; runs once. Later exports report FAILED. */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= this.transport.close(this.timeoutMillis).catch((err: unknown) => {
      diag.error('GelfSummaryExporter: shutdown failed', err);
    });
    return this.shutdownPromise;
  }

  /**
   * Counters of the exporter's field budget: distinct field names it may emit, operations with
   * `_op_*` fields, shapes with folded operations or refused keys, type conflicts.
   */
  fieldStats(): FieldBudgetStats {
    return this.budget.stats();
  }

  /** A snapshot of the counters (the transport's plus the exporter's own drops). */
  stats(): GelfExporterStats {
    const t = this.transport.stats();
    return {
      exported: this.exported,
      sent: t.sent,
      dropped: t.dropped + this.dropped,
      failed: t.failed,
      pending: t.pending,
      bytes: t.bytes,
      errors: t.errors,
    };
  }
}
