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
   * still belong to the request). One that throws or returns what is no string (a number, an
   * object) costs that span only: it is left out too, and counted in `processorErrors` (with a
   * rate-limited `diag.error`); the rest of the request is summarised as usual.
   * @defaultValue the span name
   */
  operationKey?: (span: SummarySpan) => string | undefined;
  /**
   * Compute self time (`operations[].selfMs`, `selfMs`: each span's duration minus the time
   * during which at least one of its direct children ran) and the request's breakdown by kind of
   * work (`breakdown`: database, outgoing HTTP, RPC, messaging, other). A span left out by
   * `operationKey` still ran: it counts in its kind and in its parent's children's time.
   * @defaultValue true
   */
  selfTime?: boolean;
  /**
   * Whether a local root span (no parent, or a remote one) is a request to summarise. Other roots
   * are not summarised and counted in `notRequestRoots`; their children are not tracked. One that
   * throws counts as `false` (and in `processorErrors`).
   * @defaultValue `isDefaultRequestRoot`: SERVER and CONSUMER spans, and spans started by
   * `@otel-gelf/timeit` (a job, a script step); not e.g. a `dns.lookup` or a CLIENT call made
   * outside any request
   */
  isRequestRoot?: (span: SummarySpan) => boolean;
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
   * When a root ends while children are still open, take its summary when its last open child
   * ends or when the processor's `setImmediate` callback runs, whichever comes first. That
   * callback is queued when the root ends (one shared by the requests closing together, no timer
   * per request), so it runs in the event loop's next check phase, not after a whole turn.
   *
   * Counted as usual: a child ending synchronously after the root, in a `process.nextTick` or
   * promise callback (microtask), or in an I/O callback the event loop runs before that check
   * phase. Late (counted in `lateSpans`, not summarised): a child ending in a `setImmediate`
   * queued after the root ended, and one ending in a timer, even `setTimeout(fn, 0)`, when the
   * root ended in an I/O or timer callback (as HTTP server spans do).
   *
   * Express instrumentation, for one, ends a route handler's span on the response's `close`
   * event, just after the HTTP server span ended on `finish`. With false, the summary is taken
   * synchronously when the root ends; so it is, too, for roots ending in the same turn after
   * `maxOpenRequests` others already wait.
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
  /**
   * Distinct keys `annotateRequest` / `countInRequest` may set per request; writes of further
   * keys are dropped (counted in `droppedAnnotations`). Integer 0–1000; 0 turns annotations off.
   * @defaultValue 32
   */
  maxAnnotations?: number;
  /**
   * Longest string value of an annotation, in UTF-16 code units; longer ones are cut (never
   * inside a surrogate pair) and counted in `cutAnnotations`. Integer 1–32766.
   * @defaultValue 256
   */
  maxAnnotationLength?: number;
  /**
   * Also sets each annotation as an attribute of the request's root span while it is open, so
   * that a tracing backend shows it too. Costs a `setAttribute` per write (see the README), puts
   * the values in every span exporter's output (mind personal data), and counts against the SDK's
   * attribute limit of the root span (128 by default, past which the SDK drops silently).
   * @defaultValue false
   */
  copyAnnotationsToRootSpan?: boolean;
}

/** Options after defaults and clamping. */
export interface ResolvedOptions {
  exporter: SummaryExporter;
  samples: number;
  operationKey: ((span: SummarySpan) => string | undefined) | undefined;
  selfTime: boolean;
  isRequestRoot: ((span: SummarySpan) => boolean) | undefined;
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
  maxAnnotations: number;
  maxAnnotationLength: number;
  copyAnnotationsToRootSpan: boolean;
}

/** Largest delay `setTimeout` honours. */
const MAX_TIMER_MS = 2_147_483_647;
/** Longest rendering of a bad value in a message: an option may hold something large. */
const MAX_SHOWN_CHARS = 80;

/** One invalid option: the text a user reads, and what the processor uses instead. */
interface OptionProblem {
  /** `<option>: <value> is not …` */
  text: string;
  /** What the processor uses instead, as shown in the warning. */
  used: string;
}

/**
 * A bad value as it would be written in code: strings quoted, arrays and plain objects as JSON,
 * functions by name; cut at {@link MAX_SHOWN_CHARS}.
 */
function showValue(value: unknown): string {
  let shown: string;
  switch (typeof value) {
    case 'string':
      shown = JSON.stringify(value);
      break;
    case 'bigint':
      shown = `${value}n`;
      break;
    case 'function':
      shown = value.name === '' ? '[function]' : `[function ${value.name}]`;
      break;
    case 'symbol':
      shown = value.toString();
      break;
    case 'object':
      if (value === null) {
        shown = 'null';
        break;
      }
      try {
        shown = JSON.stringify(value) ?? Object.prototype.toString.call(value);
      } catch {
        // Cycles, throwing getters or toJSON: the kind of object is still worth showing.
        shown = Object.prototype.toString.call(value);
      }
      break;
    default:
      shown = String(value);
  }
  return shown.length > MAX_SHOWN_CHARS ? `${shown.slice(0, MAX_SHOWN_CHARS - 1)}…` : shown;
}

function problem(
  problems: OptionProblem[],
  name: string,
  value: unknown,
  what: string,
  used: unknown,
) {
  problems.push({ text: `${name}: ${showValue(value)} is not ${what}`, used: String(used) });
}

// The checks below are the only validation rules: resolveOptions warns about what they report,
// findOptionProblems returns it, so clamping and the up-front check cannot disagree.

function integer(
  problems: OptionProblem[],
  name: string,
  value: unknown,
  fallback: number,
  min: number,
  max: number,
  maxName = '',
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value)) {
    problem(problems, name, value, 'a number', fallback);
    return fallback;
  }
  const range = `an integer from ${min} to ${max}${maxName === '' ? '' : ` (${maxName})`}`;
  if (!Number.isFinite(value)) {
    problem(problems, name, value, range, fallback);
    return fallback;
  }
  const clamped = Math.min(max, Math.max(min, Math.floor(value)));
  if (clamped !== value) problem(problems, name, value, range, clamped);
  return clamped;
}

function real(
  problems: OptionProblem[],
  name: string,
  value: unknown,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value)) {
    problem(problems, name, value, 'a number', fallback);
    return fallback;
  }
  const clamped = Math.min(max, Math.max(min, value));
  if (clamped !== value) {
    const range =
      max === Number.POSITIVE_INFINITY ? `a number >= ${min}` : `a number from ${min} to ${max}`;
    problem(problems, name, value, range, clamped);
  }
  return clamped;
}

function bool(problems: OptionProblem[], name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value === 'boolean') return value;
  problem(problems, name, value, 'a boolean', fallback);
  return fallback;
}

function fn<T>(problems: OptionProblem[], name: string, value: unknown): T | undefined {
  if (value === undefined || typeof value === 'function') return value as T | undefined;
  problem(problems, name, value, 'a function', 'the default');
  return undefined;
}

function stringList(
  problems: OptionProblem[],
  name: string,
  value: unknown,
  fallback: readonly string[],
): readonly string[] {
  if (value === undefined) return fallback;
  if (!Array.isArray(value)) {
    problem(problems, name, value, 'an array of strings', 'the default');
    return fallback;
  }
  const strings = value.filter((v): v is string => typeof v === 'string');
  if (strings.length !== value.length) {
    problem(problems, name, value, 'an array of strings', `its ${strings.length} string(s)`);
  }
  return strings;
}

/** Every option but `exporter`, checked: the values to use, and a problem per invalid one. */
function checkOptions(
  o: Partial<RequestSummaryProcessorOptions>,
  problems: OptionProblem[],
): Omit<ResolvedOptions, 'exporter'> {
  // In declaration order, so that problems come in the order the options are documented.
  const samples = integer(problems, 'samples', o.samples, 5, 0, 1000);
  const operationKey = fn<ResolvedOptions['operationKey']>(
    problems,
    'operationKey',
    o.operationKey,
  );
  const selfTime = bool(problems, 'selfTime', o.selfTime, true);
  const isRequestRoot = fn<ResolvedOptions['isRequestRoot']>(
    problems,
    'isRequestRoot',
    o.isRequestRoot,
  );
  const attributeAllowlist = stringList(
    problems,
    'attributeAllowlist',
    o.attributeAllowlist,
    DEFAULT_ATTRIBUTE_ALLOWLIST,
  );
  const resourceAttributeAllowlist = stringList(
    problems,
    'resourceAttributeAllowlist',
    o.resourceAttributeAllowlist,
    DEFAULT_RESOURCE_ATTRIBUTE_ALLOWLIST,
  );
  const waitForOpenChildren = bool(problems, 'waitForOpenChildren', o.waitForOpenChildren, true);
  const maxOpenRequests = integer(
    problems,
    'maxOpenRequests',
    o.maxOpenRequests,
    10_000,
    1,
    10_000_000,
  );
  const maxOperations = integer(problems, 'maxOperations', o.maxOperations, 100, 1, 10_000);
  const requestTimeoutMs = integer(
    problems,
    'requestTimeoutMs',
    o.requestTimeoutMs,
    300_000,
    1,
    MAX_TIMER_MS,
  );
  const maxQueueSize = integer(problems, 'maxQueueSize', o.maxQueueSize, 2048, 1, 1_000_000);
  return {
    samples,
    operationKey,
    selfTime,
    isRequestRoot,
    attributeAllowlist,
    resourceAttributeAllowlist,
    waitForOpenChildren,
    maxOpenRequests,
    maxOperations,
    requestTimeoutMs,
    maxQueueSize,
    exportBatchSize: integer(
      problems,
      'exportBatchSize',
      o.exportBatchSize,
      Math.min(512, maxQueueSize),
      1,
      maxQueueSize,
      'maxQueueSize',
    ),
    scheduledDelayMillis: integer(
      problems,
      'scheduledDelayMillis',
      o.scheduledDelayMillis,
      1000,
      0,
      MAX_TIMER_MS,
    ),
    exportTimeoutMillis: integer(
      problems,
      'exportTimeoutMillis',
      o.exportTimeoutMillis,
      30_000,
      1,
      MAX_TIMER_MS,
    ),
    minDurationMs: real(problems, 'minDurationMs', o.minDurationMs, 0, 0, Number.POSITIVE_INFINITY),
    errorsOnly: bool(problems, 'errorsOnly', o.errorsOnly, false),
    sampleRatio: real(problems, 'sampleRatio', o.sampleRatio, 1, 0, 1),
    filter: fn<ResolvedOptions['filter']>(problems, 'filter', o.filter),
    maxAnnotations: integer(problems, 'maxAnnotations', o.maxAnnotations, 32, 0, 1000),
    maxAnnotationLength: integer(
      problems,
      'maxAnnotationLength',
      o.maxAnnotationLength,
      256,
      1,
      32_766,
    ),
    copyAnnotationsToRootSpan: bool(
      problems,
      'copyAnnotationsToRootSpan',
      o.copyAnnotationsToRootSpan,
      false,
    ),
  };
}

/**
 * The invalid values among `options`, one human-readable problem each, naming the option and
 * quoting the value as code would (strings in quotes), e.g.
 * `samples: -1 is not an integer from 0 to 1000`, `maxQueueSize: "x" is not a number`,
 * `filter: 5 is not a function`. Empty when every option is valid; `undefined` options are valid
 * (they take their default). `exporter` is not checked.
 *
 * Pure: no `diag`, no side effects. These are exactly the values {@link RequestSummaryProcessor}
 * would clamp with a `diag.warn` (it shares these checks), so a wrapper that must reject a bad
 * configuration up front can throw with them before constructing the processor.
 *
 * @param options - the processor's options, `exporter` optional
 * @returns one message per invalid option, in a fixed option order
 */
export function findOptionProblems(options: Partial<RequestSummaryProcessorOptions>): string[] {
  const problems: OptionProblem[] = [];
  checkOptions(options ?? {}, problems);
  return problems.map((p) => p.text);
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
  const problems: OptionProblem[] = [];
  const checked = checkOptions(o, problems);
  for (const p of problems) {
    diag.warn(`@otel-gelf/request-summary: invalid option ${p.text}; using ${p.used}`);
  }
  return { exporter, ...checked };
}
