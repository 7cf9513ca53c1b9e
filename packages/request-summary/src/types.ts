/**
 * Public types of @otel-gelf/request-summary: the plain-data summary of one request and the
 * contract of a summary exporter. Everything here is serialisable (no class instances, no HrTime).
 */

import type { Attributes, Context, HrTime, SpanContext, SpanStatus } from '@opentelemetry/api';

/** An attribute value as OpenTelemetry allows it. */
export type SummaryAttributeValue = string | number | boolean | Array<string | number | boolean>;

/** Attributes, e.g. the allowlisted root attributes or the resource attributes. */
export type SummaryAttributes = Record<string, SummaryAttributeValue>;

/** A value of an annotation: what `annotateRequest` and `countInRequest` store. */
export type SummaryAnnotationValue = string | number | boolean;

/** The annotations of one request, by key (set by `annotateRequest` and `countInRequest`). */
export type SummaryAnnotations = Record<string, SummaryAnnotationValue>;

/** Timing statistics of one operation (spans of one name, or one `operationKey`) in a request. */
export interface OperationSummary {
  /** The operation key: the span name unless `operationKey` says otherwise; `_other` for folded operations. */
  name: string;
  /** How many spans of this operation ended within the request. */
  count: number;
  /** Shortest duration, in milliseconds. */
  minMs: number;
  /** Longest duration, in milliseconds. */
  maxMs: number;
  /** Sum of the durations, in milliseconds (mean = sumMs / count). */
  sumMs: number;
  /** The last `samples` durations in milliseconds, oldest first, in the order the spans ended. */
  lastMs: number[];
  /** How many of these spans ended with status ERROR. */
  errors: number;
  /**
   * True for the entry that collects the operations past `maxOperations` (named `_other`); a
   * user's own operation named `_other` is a different entry, without this flag.
   */
  folded?: boolean;
  /**
   * Sum of the spans' self times in milliseconds: each span's duration minus the time during
   * which at least one of its direct children ran (overlapping children once, a child running
   * past the span's end clipped there). Absent when the processor's `selfTime` is off.
   */
  selfMs?: number;
}

/** The spans of one kind of work in a request, and the time they covered. */
export interface WorkSummary {
  /** How many spans of this kind ended within the request. */
  count: number;
  /**
   * Wall time in milliseconds during which at least one span of this kind ran (overlapping
   * spans once), within the request's duration.
   */
  ms: number;
}

/**
 * A request's time by kind of work, from span kind and semantic conventions (see
 * `RequestSummaryProcessorOptions.selfTime`).
 */
export interface RequestBreakdown {
  /** Database calls: spans with `db.system.name` (or `db.system`). */
  db: WorkSummary;
  /** Outgoing HTTP requests: CLIENT spans with `http.request.method` (or `http.method`). */
  httpClient: WorkSummary;
  /** RPCs: CLIENT spans with `rpc.system`. */
  rpc: WorkSummary;
  /** Messaging: PRODUCER and CONSUMER spans, CLIENT spans with `messaging.system`. */
  messaging: WorkSummary;
  /** Everything else: internal spans, `timeit`, middleware. */
  other: WorkSummary;
}

/** The status of the root span. `code` is the OTel `SpanStatusCode` (0 unset, 1 ok, 2 error). */
export interface SummaryStatus {
  code: 0 | 1 | 2;
  message?: string;
}

/** Counters that say how complete a summary is. */
export interface RequestCounters {
  /** Child spans folded into `operations` (including those folded into `_other`). */
  spans: number;
  /** Child spans folded into `_other` because the request had `maxOperations` operations. */
  folded: number;
  /** Child spans that had started but not ended when the root ended (or was evicted). */
  openChildren: number;
  /**
   * Annotations refused for this request: a value not a string, finite number or boolean, a key
   * past `maxAnnotations`, a bad key, or a count on a key that holds no number.
   */
  droppedAnnotations: number;
}

/** The summary of one request: one local root span and the spans beneath it. */
export interface RequestSummary {
  /** Trace id of the root span (32 hex digits). */
  traceId: string;
  /** Span id of the root span (16 hex digits). */
  spanId: string;
  /** The root span's name, e.g. `GET /api`. */
  name: string;
  /** The root span's `SpanKind` (0 internal, 1 server, 2 client, 3 producer, 4 consumer). */
  kind: number;
  /** Start of the root span, milliseconds since the Unix epoch (float). */
  startTimeMs: number;
  /** Duration of the root span in milliseconds (float); for an incomplete request, the time it was open. */
  durationMs: number;
  /** The root span's status. */
  status: SummaryStatus;
  /** The root span's attributes that passed the allowlist. */
  attributes: SummaryAttributes;
  /** Resource attributes (`service.name`, `service.version`, `deployment.environment.name` …). */
  resource: SummaryAttributes;
  /** The request's operations, in the order they were first seen. */
  operations: OperationSummary[];
  /**
   * What the application added through `annotateRequest` / `countInRequest`, in the order the
   * keys were first set; `{}` when nothing was.
   */
  annotations: SummaryAnnotations;
  /**
   * The request's own time in milliseconds: the root's self time (its duration minus the time
   * during which at least one of its direct children ran), the service's code around the
   * operations. Absent when the processor's `selfTime` is off.
   */
  selfMs?: number;
  /** The request's time by kind of work. Absent when the processor's `selfTime` is off. */
  breakdown?: RequestBreakdown;
  /** How complete the summary is. */
  counters: RequestCounters;
  /** True when the root did not end within `requestTimeoutMs` and the request was evicted. */
  incomplete: boolean;
  /**
   * Whether the trace was sampled (the root's `traceFlags`): with `createAlwaysRecordSampler`,
   * unsampled requests are summarised too, and this says whether the trace exists in the tracing
   * backend. Set by `RequestSummaryProcessor`; absent in summaries made by other means.
   */
  sampled?: boolean;
}

/** Outcome of one export call, in the shape of OpenTelemetry's `ExportResult`. */
export interface SummaryExportResult {
  code: ExportResultCodeValue;
  /** What went wrong, in words; `RequestSummaryProcessor` reports it (rate-limited) with the counts. */
  error?: Error;
  /**
   * Summaries of the batch that were delivered, for an exporter that knows per summary. Without
   * it, SUCCESS counts the whole batch as exported and FAILED none of it.
   */
  exported?: number;
  /**
   * Summaries of the batch refused without trying (too large, a transport's bound reached …);
   * the rest, neither exported nor dropped, failed. @defaultValue 0
   */
  dropped?: number;
}

/** `ExportResultCode` values, as in `@opentelemetry/core` (0 success, 1 failed). */
export const ExportResultCode = { SUCCESS: 0, FAILED: 1 } as const;
export type ExportResultCodeValue = (typeof ExportResultCode)[keyof typeof ExportResultCode];

/**
 * Receives finished request summaries in batches, like OpenTelemetry's `SpanExporter`.
 * `export` must call `resultCallback` exactly once per call. The processor has one export in
 * flight at a time: an exporter that calls back only once its transport has taken the batch
 * passes backpressure up to the processor's bounded queue.
 */
export interface SummaryExporter {
  export(summaries: RequestSummary[], resultCallback: (result: SummaryExportResult) => void): void;
  /** Delivers everything handed to `export` so far. */
  forceFlush?(): Promise<void>;
  /** Flushes and releases resources; `export` after shutdown reports FAILED. */
  shutdown(): Promise<void>;
}

/**
 * The part of an OpenTelemetry `ReadableSpan` this package reads, written structurally so that the
 * public types need no SDK package: the spans of SDK 2.x (`@opentelemetry/sdk-trace-base`) and
 * SDK 3.x (`@opentelemetry/sdk-trace`) both fit it.
 */
export interface SummarySpan {
  readonly name: string;
  readonly kind: number;
  spanContext(): SpanContext;
  /** Absent on a root span; `isRemote` when the parent came from another process. */
  readonly parentSpanContext?: SpanContext | undefined;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  /** `[seconds, nanoseconds]`; meaningful once the span has ended. */
  readonly duration: HrTime;
  readonly status: SpanStatus;
  readonly attributes: Attributes;
  readonly resource: {
    readonly attributes: Attributes;
    /** SDK resources with async detectors (NodeSDK's): true until they settled. */
    readonly asyncAttributesPending?: boolean;
    waitForAsyncAttributes?(): Promise<void>;
  };
  readonly ended?: boolean;
}

/**
 * The shape of OpenTelemetry's `SpanProcessor` (SDK 2.x and 3.x), so that
 * `RequestSummaryProcessor` can say it implements it without importing an SDK.
 */
export interface SummarySpanProcessor {
  onStart(span: SummarySpan, parentContext: Context): void;
  onEnd(span: SummarySpan): void;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}
