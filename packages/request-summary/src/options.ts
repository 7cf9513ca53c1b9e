import { diag } from '@opentelemetry/api';
import type { RequestSummary, SummaryExporter, SummarySpan } from './types.js';

/**
 * Root-span attributes kept in a summary by default: HTTP and RPC facts that are safe to ship to
 * a log store, in the stable semantic-convention names and in the older ones that instrumentations
 * still emit. Never headers, query strings, full URLs, client addresses, user agents or database
 * statements, which may carry secrets or personal data. `http.target` is kept with its query
 * string and fragment cut off (as `url.path` is, should an instrumentation put one there).
 */
export const DEFAULT_ATTRIBUTE_ALLOWLIST: readonly string[] = Object.freeze([
  'http.request.method',
  'http.route',
  'http.response.status_code',
  'url.path',
  'url.scheme',
  'server.address',
  'server.port',
  'network.protocol.version',
  'error.type',
  'rpc.system',
  'rpc.service',
  'rpc.method',
  'rpc.grpc.status_code',
  'http.method',
  'http.target',
  'http.status_code',
  'http.scheme',
  'http.flavor',
  'net.host.name',
  'net.host.port',
]);

/** Resource attributes kept in a summary by default: which service, which version, where. */
export const DEFAULT_RESOURCE_ATTRIBUTE_ALLOWLIST: readonly string[] = Object.freeze([
  'service.name',
  'service.namespace',
  'service.version',
  'service.instance.id',
  'deployment.environment.name',
  'deployment.environment',
]);

/**
 * Attributes whose values are paths that may end in `?query` or `#fragment` (old-convention
 * `http.target` does; `url.path` should not, but a misbehaving instrumentation could): only the
 * part before `?`/`#` is kept, whatever the allowlist.
 */
export const QUERY_STRIPPED_ATTRIBUTES: readonly string[] = Object.freeze([
  'http.target',
  'url.path',
]);

/** Options of {@link RequestSummaryProcessor}. Only `exporter` is required. */
export interface RequestSummaryProcessorOptions {
  /** Receives the finished summaries, in batches. */
  exporter: SummaryExporter;
  /**
   * How many of the most recent durations each operation keeps in `lastMs` (like Python's
   * `deque(maxlen=5)`). Integer 0–1000.
   * @defaultValue 5
   */
  samples?: number;
  /**
   * Maps a span to its operation key; `undefined` leaves the span out of the summary (its children
   * still belong to the request).
   * @defaultValue the span name
   */
  operationKey?: (span: SummarySpan) => string | undefined;
  /**
   * Root-span attributes copied into `RequestSummary.attributes`.
   * @defaultValue {@link DEFAULT_ATTRIBUTE_ALLOWLIST}
   */
  attributeAllowlist?: readonly string[];
  /**
   * Resource attributes copied into `RequestSummary.resource`.
   * @defaultValue {@link DEFAULT_RESOURCE_ATTRIBUTE_ALLOWLIST}
   */
  resourceAttributeAllowlist?: readonly string[];
  /**
   * When a root ends while children are still open, wait for them until the next turn of the
   * event loop (one shared `setImmediate`, no timer per request) before taking the summary;
   * a child ending within that turn is counted as usual. Express instrumentation, for one, ends
   * a route handler's span on the response's `close` event, just after the HTTP server span
   * ended on `finish`. With false, the summary is taken synchronously when the root ends.
   * @defaultValue true
   */
  waitForOpenChildren?: boolean;
  /**
   * Requests tracked at once; further roots are not tracked (counted in `droppedRequests`).
   * @defaultValue 10000
   */
  maxOpenRequests?: number;
  /**
   * Distinct operations per request; spans of further operations fold into one `_other` entry,
   * so a summary holds at most `maxOperations + 1` entries.
   * @defaultValue 100
   */
  maxOperations?: number;
  /**
   * A request whose root is still open after this long is exported with `incomplete: true` and
   * forgotten (checked by one unref()ed timer, so eviction happens within 25% after it).
   * @defaultValue 300000 (5 minutes)
   */
  requestTimeoutMs?: number;
  /**
   * Summaries waiting for export; beyond, new ones are dropped (counted in `droppedQueueFull`).
   * @defaultValue 2048
   */
  maxQueueSize?: number;
  /**
   * Summaries per `export` call; a full batch is exported at once, without waiting for the delay.
   * @defaultValue 512
   */
  exportBatchSize?: number;
  /**
   * Longest wait before a partial batch is exported. Shorter than the BatchSpanProcessor's 5 s:
   * a summary is one small message per request that people watch arrive while they work, and
   * fewer of them are lost when a process dies without `shutdown`.
   * @defaultValue 1000
   */
  scheduledDelayMillis?: number;
  /**
   * Longest an `export` call may take before it counts as failed; also bounds `forceFlush` and
   * each step of `shutdown`.
   * @defaultValue 30000
   */
  exportTimeoutMillis?: number;
  /**
   * Export only requests that took at least this long. Errors and incomplete requests always pass.
   * @defaultValue 0
   */
  minDurationMs?: number;
  /**
   * Export only requests with an error: root status ERROR or any span with status ERROR.
   * Incomplete requests pass as well.
   * @defaultValue false
   */
  errorsOnly?: boolean;
  /**
   * Fraction (0–1) of the other requests to export, chosen by trace id (like
   * `TraceIdRatioBasedSampler`, so every service of a trace picks the same requests). Errors and
   * incomplete requests always pass.
   * @defaultValue 1
   */
  sampleRatio?: number;
  /**
   * Last word on each summary that passed the options above: return false to drop it. If it
   * throws, the summary is kept and the error reported.
   * @defaultValue undefined (keep all)
   */
  filter?: (summary: RequestSummary) => boolean;
}

/** Options after defaults and clamping. */
export interface ResolvedOptions {
  exporter: SummaryExporter;
  samples: number;
  operationKey: ((span: SummarySpan) => string | undefined) | undefined;
  attributeAllowlist: readonly string[];
  resourceAttributeAllowlist: readonly string[];
  waitForOpenChildren: boolean;
  maxOpenRequests: number;
  maxOperations: number;
  requestTimeoutMs: number;
  maxQueueSize: number;
  exportBatchSize: number;
  scheduledDelayMillis: number;
  exportTimeoutMillis: number;
  minDurationMs: number;
  errorsOnly: boolean;
  sampleRatio: number;
  filter: ((summary: RequestSummary) => boolean) | undefined;
}

/** Largest delay `setTimeout` honours. */
const MAX_TIMER_MS = 2_147_483_647;

function warnInvalid(name: string, value: unknown, used: unknown): void {
  diag.warn(
    `@otel-gelf/request-summary: invalid option ${name}=${String(value)}; using ${String(used)}`,
  );
}

function integer(name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    warnInvalid(name, value, fallback);
    return fallback;
  }
  const clamped = Math.min(max, Math.max(min, Math.floor(value)));
  if (clamped !== value) warnInvalid(name, value, clamped);
  return clamped;
}

function real(name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value)) {
    warnInvalid(name, value, fallback);
    return fallback;
  }
  const clamped = Math.min(max, Math.max(min, value));
  if (clamped !== value) warnInvalid(name, value, clamped);
  return clamped;
}

function fn<T>(name: string, value: unknown): T | undefined {
  if (value === undefined || typeof value === 'function') return value as T | undefined;
  warnInvalid(name, typeof value, 'the default');
  return undefined;
}

function stringList(name: string, value: unknown, fallback: readonly string[]): readonly string[] {
  if (value === undefined) return fallback;
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  warnInvalid(name, typeof value, 'the default');
  return fallback;
}

/** An exporter that drops everything, used when none usable was given (reported once). */
const DISCARDING_EXPORTER: SummaryExporter = {
  export: (_summaries, done) => done({ code: 1, error: new Error('no exporter configured') }),
  shutdown: () => Promise.resolve(),
};

/**
 * Applies defaults and clamps every invalid value to the nearest valid one (or the default), with
 * one `diag.warn` per invalid option: a processor is set up at start-up and must not throw there.
 */
export function resolveOptions(options: RequestSummaryProcessorOptions): ResolvedOptions {
  const o = (options ?? {}) as Partial<RequestSummaryProcessorOptions>;
  let exporter = o.exporter;
  if (exporter === undefined || exporter === null || typeof exporter.export !== 'function') {
    diag.error('@otel-gelf/request-summary: no usable exporter given; summaries are discarded');
    exporter = DISCARDING_EXPORTER;
  }
  const maxQueueSize = integer('maxQueueSize', o.maxQueueSize, 2048, 1, 1_000_000);
  return {
    exporter,
    samples: integer('samples', o.samples, 5, 0, 1000),
    operationKey: fn('operationKey', o.operationKey),
    attributeAllowlist: stringList(
      'attributeAllowlist',
      o.attributeAllowlist,
      DEFAULT_ATTRIBUTE_ALLOWLIST,
    ),
    resourceAttributeAllowlist: stringList(
      'resourceAttributeAllowlist',
      o.resourceAttributeAllowlist,
      DEFAULT_RESOURCE_ATTRIBUTE_ALLOWLIST,
    ),
    waitForOpenChildren: o.waitForOpenChildren !== false,
    maxOpenRequests: integer('maxOpenRequests', o.maxOpenRequests, 10_000, 1, 10_000_000),
    maxOperations: integer('maxOperations', o.maxOperations, 100, 1, 10_000),
    requestTimeoutMs: integer('requestTimeoutMs', o.requestTimeoutMs, 300_000, 1, MAX_TIMER_MS),
    maxQueueSize,
    exportBatchSize: integer(
      'exportBatchSize',
      o.exportBatchSize,
      Math.min(512, maxQueueSize),
      1,
      maxQueueSize,
    ),
    scheduledDelayMillis: integer(
      'scheduledDelayMillis',
      o.scheduledDelayMillis,
      1000,
      0,
      MAX_TIMER_MS,
    ),
    exportTimeoutMillis: integer(
      'exportTimeoutMillis',
      o.exportTimeoutMillis,
      30_000,
      1,
      MAX_TIMER_MS,
    ),
    minDurationMs: real('minDurationMs', o.minDurationMs, 0, 0, Number.POSITIVE_INFINITY),
    errorsOnly: o.errorsOnly === true,
    sampleRatio: real('sampleRatio', o.sampleRatio, 1, 0, 1),
    filter: fn('filter', o.filter),
  };
}
