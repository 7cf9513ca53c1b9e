import { type Context, trace } from '@opentelemetry/api';
import { type AnnotationTarget, addTarget, removeTarget } from './annotation-registry.js';
import { pickAttributes } from './attributes.js';
import { Coverage } from './coverage.js';
import { ExportQueue } from './export-queue.js';
import {
  type RequestSummaryProcessorOptions,
  type ResolvedOptions,
  resolveOptions,
} from './options.js';
import { RateLimitedDiag } from './rate-limited-diag.js';
import {
  ANNOTATION_CUT,
  ANNOTATION_DROPPED,
  MIRROR_NONE,
  MIRROR_UNSET,
  RequestRecord,
} from './request-record.js';
import { isDefaultRequestRoot } from './request-root.js';
import {
  DURATION,
  END,
  newSpanTimes,
  putDuration,
  putMs,
  SELF,
  type SpanTimes,
  START,
} from './span-times.js';
import type {
  OperationSummary,
  RequestSummary,
  SummaryAttributes,
  SummarySpan,
  SummarySpanProcessor,
  SummaryStatus,
  WorkSummary,
} from './types.js';
import { workKind } from './work-kind.js';

/** Counters of a {@link RequestSummaryProcessor}, as returned by `stats()`. */
export interface RequestSummaryProcessorStats {
  /** Requests whose root span is open. */
  openRequests: number;
  /** Span ids registered right now: roots of open (or lingering) requests and their spans that started a child. */
  trackedSpans: number;
  /** Summaries waiting for export (not counting those in the export in flight). */
  queued: number;
  /** Summaries in the export call in flight (one at a time). */
  exporting: number;
  /** Summaries delivered, per summary (as the exporter reports it; GELF: sent on the wire). */
  exported: number;
  /** Summaries the exporter refused without trying (too large, its transport's bound reached). */
  droppedByExporter: number;
  /** Summaries the exporter tried and lost (network error, HTTP error, timeout), or whose export failed. */
  failed: number;
  /** Request roots that ended after `shutdown()` began; not summarised. */
  afterShutdown: number;
  /** Roots not tracked because `maxOpenRequests` requests were open. */
  droppedRequests: number;
  /** Summaries dropped because `maxQueueSize` summaries were waiting. */
  droppedQueueFull: number;
  /** Children that started or ended after their request had ended; not summarised. */
  lateSpans: number;
  /** Children folded into `_other` because of `maxOperations`. */
  foldedSpans: number;
  /** Requests exported with `incomplete: true` (timed out, or open at shutdown). */
  incompleteRequests: number;
  /** Ended requests not exported because of `errorsOnly`, `minDurationMs`, `sampleRatio` or `filter`. */
  filteredOut: number;
  /** Export calls that did not deliver their whole batch (failed, threw, timed out, or lost some). */
  exportFailures: number;
  /** Errors caught inside the processor (a throwing `operationKey` or `filter`, a malformed span …). */
  processorErrors: number;
  /** Non-root spans whose parent was not tracked (e.g. its root was dropped); not summarised. */
  untrackedSpans: number;
  /**
   * Local roots that are no request by `isRequestRoot` (by default: not SERVER, not CONSUMER, not
   * started by `timeit`, e.g. a `dns.lookup` outside any request); not summarised.
   */
  notRequestRoots: number;
  /** `annotateRequest` / `countInRequest` writes refused (see `RequestCounters.droppedAnnotations`). */
  droppedAnnotations: number;
  /** Annotation strings cut at `maxAnnotationLength`. */
  cutAnnotations: number;
  /**
   * Requests whose root start time was impossible (not a number, before 2000 or from 2100 on: a
   * broken clock or a hand-made span); their summary starts at the clock reading when the root
   * ended instead.
   */
  clockFallbacks: number;
}

/** `TraceFlags.SAMPLED` of @opentelemetry/api. */
const TRACE_FLAG_SAMPLED = 1;

/** The start times a summary may carry, 2000-01-01 to 2100-01-01 (GELF's `timestamp` range). */
const MIN_START_MS = 946_684_800_000;
const MAX_START_MS = 4_102_444_800_000;

/** SpanStatusCode.ERROR, without importing the enum on the hot path. */
const STATUS_ERROR = 2;
/**
 * Spans with children registered per request; past it, the children of further parents are not
 * tracked (counted in `untrackedSpans`). Real requests nest far fewer parents.
 */
export const MAX_PARENTS_PER_REQUEST = 1000;
/**
 * Open parents per request up to which an ending span is looked for among them by id; past it,
 * through the map (most requests nest one or two).
 */
const SCANNED_PARENTS = 8;
/** Longest gap between two sweeps, whatever `requestTimeoutMs`. */
const MAX_SWEEP_INTERVAL_MS = 30_000;

function hrToMs(time: readonly [number, number] | number[]): number {
  return time[0]! * 1e3 + time[1]! / 1e6;
}

function work(coverage: Coverage | undefined): WorkSummary {
  return coverage === undefined
    ? { count: 0, ms: 0 }
    : { count: coverage.count, ms: coverage.total() };
}

/** Adds the self time of a parent that waited for its children to its operation. */
function settleSelf(node: Coverage): void {
  node.op!.selfMs += node.selfMs(node.durationMs);
  node.op = undefined;
}

/** Whether the trace id falls within `ratio`, decided by its last 32 bits like the OTel sampler. */
function inRatio(traceId: string, ratio: number): boolean {
  if (ratio >= 1) return true;
  const low = Number.parseInt(traceId.slice(-8), 16);
  if (Number.isNaN(low)) return true;
  return low < ratio * 0x1_0000_0000;
}

/**
 * An OpenTelemetry `SpanProcessor` that folds the spans of each request (a local root span and
 * everything beneath it) into one {@link RequestSummary}: per operation the count, min, max, sum
 * and last durations. When a root ends, its summary is queued and handed to the
 * {@link SummaryExporter} in batches, asynchronously, with tracing suppressed.
 *
 * Works with SDK 2.x (`BasicTracerProvider({ spanProcessors })`, `NodeSDK({ spanProcessors })`) and
 * SDK 3.x (`TracerProvider({ spanProcessors })`). `onStart`/`onEnd` never throw and allocate
 * nothing for a span of an operation already seen; every map and queue is bounded.
 */
export class RequestSummaryProcessor implements SummarySpanProcessor {
  private readonly options: ResolvedOptions;
  private readonly attributeAllowlist: ReadonlySet<string>;
  private readonly resourceAttributeAllowlist: ReadonlySet<string>;
  private readonly log = new RateLimitedDiag();
  private readonly queue: ExportQueue;
  /**
   * span id → registered span (and through it the request), for the roots and for every span that
   * has started a child. A span is found through its parent's id, so leaf spans (most spans) are
   * never written here.
   */
  private readonly spans = new Map<string, Coverage>();
  /** Open requests as a linked list, oldest first (no hashing per request). */
  private oldest: RequestRecord | undefined = undefined;
  private newest: RequestRecord | undefined = undefined;
  private openCount = 0;
  /** The last id found in `spans`: siblings share their parent's id string, so most hit. */
  private lastId: string | undefined = undefined;
  private lastNode: Coverage | undefined = undefined;
  /**
   * Requests whose root ended with children open, waiting for them until `closingImmediate`;
   * at most `maxOpenRequests`.
   */
  private closing: RequestRecord[] = [];
  private closingImmediate: ReturnType<typeof setImmediate> | undefined = undefined;
  /** Ended requests with children still open, oldest first. */
  private readonly lingering = new Set<RequestRecord>();
  private readonly sweepTimer: ReturnType<typeof setInterval>;
  private readonly timeoutTicks: number;
  private tick = 0;
  private isShutdown = false;
  private shutdownPromise: Promise<void> | undefined = undefined;
  private lastResource: unknown = undefined;
  private lastResourceAttributes: SummaryAttributes = {};
  /** The figures of the span being recorded, computed once for its parent, kind and operation. */
  private readonly times: SpanTimes = newSpanTimes();
  /**
   * The span started last and its kind of work: most spans end before the next one starts, and
   * their kind (read from attributes set at creation) is not read a second time.
   */
  private startedSpan: object | undefined = undefined;
  private startedKind = 0;
  /** Set while the resource's async attributes settle; exports wait for it. */
  private resourceSettling: Promise<void> | undefined = undefined;
  /** Summaries' resource objects to fill once they settled (at most maxQueueSize). */
  private unsettled: SummaryAttributes[] = [];

  private droppedRequests = 0;
  private lateSpans = 0;
  private foldedSpans = 0;
  private incompleteRequests = 0;
  private filteredOut = 0;
  private processorErrors = 0;
  private clockFallbacks = 0;
  private untrackedSpans = 0;
  private notRequestRoots = 0;
  private afterShutdown = 0;
  /** Roots exported as incomplete by shutdown: their end, coming later, is no new request. */
  private readonly evictedAtShutdown = new WeakSet<object>();
  /**
   * Roots refused at their start by `maxOpenRequests` (counted in `droppedRequests` then): their
   * end, should it come after shutdown began, is not counted a second time.
   */
  private readonly refusedRoots = new WeakSet<object>();
  private droppedAnnotations = 0;
  private cutAnnotations = 0;
  /**
   * The span the last annotation came from and its request: code annotates in runs from one
   * place, and a leaf span's own id is never registered (its lookup would miss every time).
   */
  private lastAnnotatedSpan: object | undefined = undefined;
  private lastAnnotatedRequest: RequestRecord | undefined = undefined;
  /** Whether {@link annotationTarget} is in the process-wide registry. */
  private registered = false;

  /**
   * What `annotateRequest` / `countInRequest` call, from any copy of the package: added to the
   * process-wide registry when the first request starts, removed at shutdown, so a processor
   * never used holds no global reference.
   */
  private readonly annotationTarget: AnnotationTarget = {
    annotate: (span, attributes) => {
      try {
        this.annotate(span, attributes);
      } catch (error) {
        this.reportError(error);
      }
    },
    count: (span, key, by) => {
      try {
        const request = this.requestOf(span);
        if (request === undefined) return;
        if (request.count(key, by, this.options.maxAnnotations) === ANNOTATION_DROPPED) {
          this.dropAnnotation();
        } else if (this.options.copyAnnotationsToRootSpan) {
          this.copyToRoot(request, key);
        }
      } catch (error) {
        this.reportError(error);
      }
    },
  };

  private readonly onClosingTurn = (): void => {
    this.closingImmediate = undefined;
    try {
      this.finishClosing();
    } catch (error) {
      this.reportError(error);
    }
  };

  private readonly onSweep = (): void => {
    try {
      this.sweep();
    } catch (error) {
      this.reportError(error);
    }
  };

  /** @param options - `exporter` is required; invalid values are clamped with a `diag.warn`. */
  constructor(options: RequestSummaryProcessorOptions) {
    this.options = resolveOptions(options);
    const o = this.options;
    this.attributeAllowlist = new Set(o.attributeAllowlist);
    this.resourceAttributeAllowlist = new Set(o.resourceAttributeAllowlist);
    this.queue = new ExportQueue(o.exporter, o, this.log, () => this.resourceSettling);
    // Requests carry the sweep tick they started at instead of a timestamp: no clock read per
    // request, and eviction lands between requestTimeoutMs and requestTimeoutMs + one interval.
    const interval = Math.max(
      1,
      Math.min(Math.ceil(o.requestTimeoutMs / 4), MAX_SWEEP_INTERVAL_MS),
    );
    this.timeoutTicks = Math.ceil(o.requestTimeoutMs / interval);
    this.sweepTimer = setInterval(this.onSweep, interval);
    this.sweepTimer.unref();
  }

  /** Registers a root as a new request, or counts a child as open in its parent's request. */
  onStart(span: SummarySpan, parentContext: Context): void {
    if (this.isShutdown) return;
    try {
      // The SDK derives parentSpanContext from the parent context; reading it here is the same
      // answer without a context lookup, and it also honours `root: true`.
      const parent = span.parentSpanContext;
      if (parent === undefined || parent === null || parent.isRemote === true) {
        if (this.isRequestRoot(span)) this.startRequest(span);
        else this.notRequestRoots++;
        return;
      }
      const node = this.lookup(parent.spanId) ?? this.registerParent(parent.spanId, parentContext);
      if (node === undefined) {
        this.untrackedSpans++;
        return;
      }
      const request = node.request;
      // Counted even when the request has ended, so that the span's end balances it (and is late).
      request.openChildren++;
      if (this.options.selfTime && !request.ended) {
        const times = this.times;
        putMs(times, START, span.startTime, request.base);
        const kind = workKind(span);
        this.startedSpan = span;
        this.startedKind = kind;
        const mirror = request.mirror;
        if (mirror !== kind || node !== request.node) {
          if (mirror === MIRROR_UNSET) {
            // The request's first span: its kind is the root's children so far, or none is.
            request.mirror = node === request.node ? kind : MIRROR_NONE;
          } else if (mirror !== MIRROR_NONE) {
            // Before the node sees this span, which the mirrored kind must not.
            request.fork();
          }
          if (request.mirror !== kind) request.kind(kind).add(times);
        }
        node.add(times);
      }
    } catch (error) {
      this.reportError(error);
    }
  }

  /** Records an ended child into its request, or ends the request when its root ends. */
  onEnd(span: SummarySpan): void {
    if (this.isShutdown) {
      try {
        this.endAfterShutdown(span);
      } catch (error) {
        this.reportError(error);
      }
      return;
    }
    try {
      const parent = span.parentSpanContext;
      if (parent === undefined || parent === null || parent.isRemote === true) {
        const request = this.lookup(span.spanContext().spanId)?.request;
        if (request !== undefined && request.root === span) this.endRequest(request);
        return;
      }
      const node = this.lookup(parent.spanId);
      if (node === undefined) return;
      const request = node.request;
      if (request.openChildren > 0) request.openChildren--;
      if (request.ended) {
        this.late();
        if (request.openChildren === 0) {
          this.lingering.delete(request);
          this.release(request);
        }
        return;
      }
      this.recordChild(request, node, span);
      // The last child a closing request waited for: take the summary now.
      if (request.closing && request.openChildren === 0) this.finish(request);
    } catch (error) {
      this.reportError(error);
    }
  }

  /**
   * Counts a request root that ends once shutdown has begun: it cannot be exported any more. Not
   * counted: a root already counted (exported as incomplete at shutdown, refused by
   * `maxOpenRequests`) and a root that is no request (`notRequestRoots` counts those that started
   * before shutdown).
   */
  private endAfterShutdown(span: SummarySpan): void {
    if (
      typeof span !== 'object' ||
      span === null ||
      this.evictedAtShutdown.has(span) ||
      this.refusedRoots.has(span)
    ) {
      return;
    }
    const parent = span.parentSpanContext;
    if (parent !== undefined && parent !== null && parent.isRemote !== true) return;
    if (!this.isRequestRootQuietly(span)) return;
    this.afterShutdown++;
    this.log.report(
      'warn',
      'afterShutdown',
      'a request ended after shutdown began; not summarised (end requests before shutting the tracer provider down)',
    );
  }

  /**
   * The parent of a starting span has no registered id yet (this is its first child): its own
   * parent is registered, because every span registers its parent when it starts. Registers the
   * parent with that request.
   */
  private registerParent(parentId: string, parentContext: Context): Coverage | undefined {
    const parentSpan = trace.getSpan(parentContext) as Partial<SummarySpan> | undefined;
    if (parentSpan === undefined || parentSpan.spanContext!().spanId !== parentId) return undefined;
    const grandparent = parentSpan.parentSpanContext;
    // A parent with no local parent would be a root, registered when it started if tracked.
    if (grandparent === undefined || grandparent === null || grandparent.isRemote === true) {
      return undefined;
    }
    const request = this.lookup(grandparent.spanId)?.request;
    if (request === undefined || request.ids.length >= MAX_PARENTS_PER_REQUEST) return undefined;
    const node = Coverage.of(request, parentSpan.startTime);
    this.spans.set(parentId, node);
    request.ids.push(parentId);
    node.id = parentId;
    // A parent that has already ended (a child started in a callback that outlived it) will not
    // end again: it must not make its request look up every ending span.
    if (parentSpan.ended !== true) {
      if (request.openParents === undefined) request.openParents = [node];
      else request.openParents.push(node);
    }
    return node;
  }

  private lookup(spanId: string): Coverage | undefined {
    if (spanId === this.lastId) return this.lastNode;
    const node = this.spans.get(spanId);
    if (node !== undefined) {
      this.lastId = spanId;
      this.lastNode = node;
    }
    return node;
  }

  private linkOpen(request: RequestRecord): void {
    request.prev = this.newest;
    request.next = undefined;
    if (this.newest === undefined) this.oldest = request;
    else this.newest.next = request;
    this.newest = request;
    this.openCount++;
  }

  private unlinkOpen(request: RequestRecord): void {
    if (request.prev !== undefined) request.prev.next = request.next;
    else if (this.oldest === request) this.oldest = request.next;
    else return; // not in the list
    if (request.next !== undefined) request.next.prev = request.prev;
    else this.newest = request.prev;
    request.prev = undefined;
    request.next = undefined;
    this.openCount--;
  }

  /** Forgets the span ids of a request: later spans under it are untracked. */
  private release(request: RequestRecord): void {
    if (this.lastNode?.request === request) {
      this.lastId = undefined;
      this.lastNode = undefined;
    }
    if (this.lastAnnotatedRequest === request) {
      this.lastAnnotatedSpan = undefined;
      this.lastAnnotatedRequest = undefined;
    }
    const ids = request.ids;
    for (let i = 0; i < ids.length; i++) this.spans.delete(ids[i]!);
  }

  /**
   * An ending span that may have had children: if it is a registered parent of `request`, its
   * self time goes into `times[SELF]` (0 while children are open: returned, to wait for them).
   */
  private endParent(
    request: RequestRecord,
    open: Coverage[],
    span: SummarySpan,
  ): Coverage | undefined {
    const id = span.spanContext().spanId;
    let at = -1;
    if (open.length <= SCANNED_PARENTS) {
      for (let i = 0; i < open.length; i++) {
        if (open[i]!.id === id) {
          at = i;
          break;
        }
      }
    } else {
      const node = this.spans.get(id);
      if (node !== undefined && node.request === request) at = open.indexOf(node);
    }
    if (at < 0) return undefined;
    const own = open[at]!;
    open[at] = open[open.length - 1]!;
    open.pop();
    const times = this.times;
    own.endAtMs(times[END]!);
    if (own.openMembers === 0) {
      times[SELF] = own.selfMs(times[DURATION]!);
      return undefined;
    }
    // Children still open may yet end before this span by their timestamps.
    times[SELF] = 0;
    return own;
  }

  private recordChild(request: RequestRecord, parent: Coverage, span: SummarySpan): void {
    const o = this.options;
    const times = this.times;
    putDuration(times, span.duration);
    times[SELF] = times[DURATION]!;
    let waiting: Coverage | undefined;
    if (o.selfTime) {
      const base = request.base;
      putMs(times, START, span.startTime, base);
      putMs(times, END, span.endTime, base);
      let kind: number;
      if (span === this.startedSpan) {
        kind = this.startedKind;
        this.startedSpan = undefined;
      } else {
        kind = workKind(span);
      }
      const mirror = request.mirror;
      const ofRoot = parent === request.node;
      // The mirrored kind parts when a root child's kind changed since it started, or a span of
      // that kind is no root child (it started before the request had a first span to decide).
      if (mirror >= 0) {
        if (ofRoot !== (kind === mirror)) request.fork();
      } else if (mirror === MIRROR_UNSET) {
        // A child seen ending that was not seen starting: mirror nothing from now on.
        request.mirror = MIRROR_NONE;
      }
      parent.remove(times);
      // The last child its ended parent waited for.
      if (parent.op !== undefined && parent.openMembers === 0) settleSelf(parent);
      if (!ofRoot || request.mirror !== kind) request.kind(kind).remove(times);
      // Only a registered span has had children; none is open in most requests (flat ones).
      const open = request.openParents;
      if (open !== undefined && open.length > 0) waiting = this.endParent(request, open, span);
    }
    // Left out of the operations only: the span ran, so it counted for its parent and its kind.
    let key: unknown;
    if (o.operationKey === undefined) {
      key = span.name;
    } else {
      try {
        key = o.operationKey(span);
      } catch (error) {
        // Costs this span, not the request: left out, counted, reported.
        this.operationKeyError(error);
        return;
      }
    }
    if (typeof key !== 'string') {
      if (key !== undefined && key !== null) {
        this.operationKeyError(
          new TypeError(`operationKey returned ${typeof key}, not a string or undefined`),
        );
      }
      return;
    }
    const folded = request.folded;
    const op = request.record(
      key,
      times,
      span.status.code === STATUS_ERROR,
      o.samples,
      o.maxOperations,
    );
    if (request.folded !== folded) this.fold();
    if (waiting !== undefined) {
      waiting.op = op;
      waiting.durationMs = times[DURATION]!;
      if (request.waiting === undefined) request.waiting = [waiting];
      else request.waiting.push(waiting);
    }
  }

  /**
   * Exports every summary of an ended request, then flushes the exporter. Resolves, never rejects,
   * within `exportTimeoutMillis`, also when the exporter fails or hangs.
   */
  forceFlush(): Promise<void> {
    if (this.shutdownPromise !== undefined) return this.shutdownPromise;
    return this.withDeadline(this.flushAll(), 'forceFlush');
  }

  /**
   * Stops tracking (onStart/onEnd do nothing from now on), exports the requests still open with
   * `incomplete: true`, flushes, then shuts the exporter down. Runs once: every call returns the
   * same promise, which resolves, never rejects.
   */
  shutdown(): Promise<void> {
    if (this.shutdownPromise === undefined) this.shutdownPromise = this.runShutdown();
    return this.shutdownPromise;
  }

  /** A snapshot of the processor's counters. */
  stats(): RequestSummaryProcessorStats {
    return {
      openRequests: this.openCount,
      trackedSpans: this.spans.size,
      queued: this.queue.length,
      exporting: this.queue.exporting,
      exported: this.queue.exported,
      droppedByExporter: this.queue.droppedByExporter,
      failed: this.queue.failed,
      afterShutdown: this.afterShutdown,
      droppedRequests: this.droppedRequests,
      droppedQueueFull: this.queue.droppedQueueFull,
      lateSpans: this.lateSpans,
      foldedSpans: this.foldedSpans,
      incompleteRequests: this.incompleteRequests,
      filteredOut: this.filteredOut,
      exportFailures: this.queue.exportFailures,
      processorErrors: this.processorErrors,
      clockFallbacks: this.clockFallbacks,
      untrackedSpans: this.untrackedSpans,
      notRequestRoots: this.notRequestRoots,
      droppedAnnotations: this.droppedAnnotations,
      cutAnnotations: this.cutAnnotations,
    };
  }

  /**
   * {@link isRequestRoot} for a root ending after shutdown: a malformed span or a throwing rule
   * counts as no request, and, the processor being shut down, as no error either.
   */
  private isRequestRootQuietly(span: SummarySpan): boolean {
    try {
      const rule = this.options.isRequestRoot;
      return rule === undefined ? isDefaultRequestRoot(span) : rule(span) === true;
    } catch {
      return false;
    }
  }

  /** Whether a local root is a request; a throwing `isRequestRoot` counts as no. */
  private isRequestRoot(span: SummarySpan): boolean {
    const rule = this.options.isRequestRoot;
    if (rule === undefined) return isDefaultRequestRoot(span);
    try {
      return rule(span) === true;
    } catch (error) {
      this.reportError(error);
      return false;
    }
  }

  private startRequest(span: SummarySpan): void {
    if (this.openCount >= this.options.maxOpenRequests) {
      this.droppedRequests++;
      this.refusedRoots.add(span);
      this.log.report(
        'warn',
        'maxOpenRequests',
        `${this.options.maxOpenRequests} requests open (maxOpenRequests); new request not summarised`,
      );
      return;
    }
    if (!this.registered) {
      this.registered = true;
      addTarget(this.annotationTarget);
    }
    const ctx = span.spanContext();
    const request = new RequestRecord(span, ctx.traceId, ctx.spanId, this.tick);
    this.spans.set(ctx.spanId, request.node);
    this.linkOpen(request);
  }

  private endRequest(request: RequestRecord): void {
    if (request.closing) return;
    this.unlinkOpen(request);
    const root = request.root!;
    if (this.options.selfTime) request.endTimes(request.node.ms(root.endTime));
    // At most maxOpenRequests wait per turn: roots ended in one synchronous loop must not grow
    // `closing` (and keep their ids) without limit; past it, the summary is taken now.
    if (
      request.openChildren > 0 &&
      this.options.waitForOpenChildren &&
      this.closing.length < this.options.maxOpenRequests
    ) {
      request.closing = true;
      this.closing.push(request);
      if (this.closingImmediate === undefined) {
        this.closingImmediate = setImmediate(this.onClosingTurn);
        this.closingImmediate.unref();
      }
      return;
    }
    this.finish(request);
  }

  /** Takes the summaries of the requests that waited for their children until now. */
  private finishClosing(): void {
    const closing = this.closing;
    if (closing.length === 0) return;
    this.closing = [];
    for (let i = 0; i < closing.length; i++) {
      const request = closing[i]!;
      if (!request.ended) this.finish(request);
    }
  }

  /** Takes the summary of an ended root and queues it (unless filtered out). */
  private finish(request: RequestRecord): void {
    const root = request.root!;
    request.ended = true;
    request.closing = false;
    request.root = undefined;
    if (request.openChildren > 0) {
      // Kept registered so that children ending later are recognised as late, until the sweep;
      // as many as maxOpenRequests, the oldest forgotten first.
      request.endedTick = this.tick;
      if (this.lingering.size >= this.options.maxOpenRequests) {
        const oldest = this.lingering.values().next().value!;
        this.lingering.delete(oldest);
        this.release(oldest);
      }
      this.lingering.add(request);
    } else {
      this.release(request);
    }
    const o = this.options;
    const durationMs = hrToMs(root.duration);
    const isError = root.status.code === STATUS_ERROR || request.errors > 0;
    if (
      !isError &&
      (o.errorsOnly || durationMs < o.minDurationMs || !inRatio(request.traceId, o.sampleRatio))
    ) {
      this.filteredOut++;
      return;
    }
    this.emit(this.summarise(request, root, durationMs, false));
  }

  private emit(summary: RequestSummary): void {
    const filter = this.options.filter;
    if (filter !== undefined) {
      let keep = true;
      try {
        keep = filter(summary) !== false;
      } catch (error) {
        // Not reportError: its "span ignored" would be wrong, the summary is kept.
        this.processorErrors++;
        this.log.report('error', 'filterError', 'filter threw; summary kept', error);
      }
      if (!keep) {
        this.filteredOut++;
        return;
      }
    }
    this.queue.push(summary);
  }

  private summarise(
    request: RequestRecord,
    root: SummarySpan,
    durationMs: number,
    incomplete: boolean,
  ): RequestSummary {
    const operations: OperationSummary[] = [];
    const ops = request.ops;
    const selfTime = this.options.selfTime;
    // Parents still waiting for children get their self time now, open children counted to
    // their end.
    const waiting = request.waiting;
    if (waiting !== undefined) {
      for (let i = 0; i < waiting.length; i++)
        if (waiting[i]!.op !== undefined) settleSelf(waiting[i]!);
      request.waiting = undefined;
    }
    for (let i = 0; i < ops.length; i++) operations.push(ops[i]!.toSummary(selfTime));
    const status = root.status;
    const summaryStatus: SummaryStatus = { code: (status.code ?? 0) as SummaryStatus['code'] };
    if (typeof status.message === 'string' && status.message !== '') {
      summaryStatus.message = status.message;
    }
    const summary: RequestSummary = {
      traceId: request.traceId,
      spanId: request.spanId,
      name: root.name,
      kind: root.kind,
      startTimeMs: this.startTimeMs(root),
      durationMs,
      status: summaryStatus,
      attributes: pickAttributes(root.attributes, this.attributeAllowlist),
      resource: this.resourceAttributes(root),
      operations,
      annotations: request.annotationRecord(),
      counters: {
        spans: request.spans,
        folded: request.folded,
        openChildren: request.openChildren,
        droppedAnnotations: request.droppedAnnotations,
      },
      incomplete,
      sampled: (root.spanContext().traceFlags & TRACE_FLAG_SAMPLED) === TRACE_FLAG_SAMPLED,
    };
    if (selfTime) {
      summary.selfMs = request.node.selfMs(durationMs);
      summary.breakdown = {
        db: work(request.kindCoverage(0)),
        httpClient: work(request.kindCoverage(1)),
        rpc: work(request.kindCoverage(2)),
        messaging: work(request.kindCoverage(3)),
        other: work(request.kindCoverage(4)),
      };
    }
    return summary;
  }

  /** The allowlisted resource attributes; one provider means one resource, so it is cached. */
  private resourceAttributes(root: SummarySpan): SummaryAttributes {
    const resource = root.resource;
    // Read them only once settled (NodeSDK's async detectors): reading earlier gets an
    // incomplete set and makes the SDK print "Accessing resource attributes before async
    // attributes settled". The summary's object is filled in before its export.
    if (resource?.asyncAttributesPending === true && this.awaitResource(resource)) {
      const later: SummaryAttributes = {};
      this.unsettled.push(later);
      return later;
    }
    if (resource !== this.lastResource) {
      this.lastResource = resource;
      this.lastResourceAttributes = pickAttributes(
        resource?.attributes,
        this.resourceAttributeAllowlist,
      );
    }
    // A copy per summary: exporters may add to what they are given.
    return Object.assign({}, this.lastResourceAttributes);
  }

  /**
   * Starts waiting for the resource's async attributes (once); false when the summary cannot
   * wait (no `waitForAsyncAttributes`, or `maxQueueSize` summaries wait already).
   */
  private awaitResource(resource: SummarySpan['resource']): boolean {
    if (typeof resource.waitForAsyncAttributes !== 'function') return false;
    if (this.unsettled.length >= this.options.maxQueueSize) return false;
    if (this.resourceSettling === undefined) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      // Bounded: a detector that never answers must not hold the summaries back for good.
      const bound = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.options.exportTimeoutMillis);
        timer.unref();
      });
      const settle = (): void => {
        clearTimeout(timer);
        const waiting = this.unsettled;
        this.unsettled = [];
        this.resourceSettling = undefined;
        const attributes = pickAttributes(resource.attributes, this.resourceAttributeAllowlist);
        for (const target of waiting) Object.assign(target, attributes);
      };
      this.resourceSettling = Promise.race([
        Promise.resolve()
          .then(() => resource.waitForAsyncAttributes?.())
          .catch(() => undefined),
        bound,
      ]).then(settle, settle);
    }
    return true;
  }

  /** Exports a request whose root has not ended as incomplete, and forgets it. */
  private evict(request: RequestRecord): void {
    const root = request.root;
    request.ended = true;
    request.root = undefined;
    this.unlinkOpen(request);
    this.release(request);
    this.incompleteRequests++;
    if (root === undefined) return;
    const durationMs = Math.max(0, Date.now() - hrToMs(root.startTime));
    if (this.options.selfTime) request.endTimes(request.node.ms(root.startTime) + durationMs);
    this.emit(this.summarise(request, root, durationMs, true));
  }

  private sweep(): void {
    const tick = ++this.tick;
    const limit = this.timeoutTicks;
    let evicted = 0;
    let request = this.oldest;
    // Start order: the first request still within its time ends the scan.
    while (request !== undefined && tick - request.openedTick > limit) {
      const next = request.next;
      this.evict(request);
      evicted++;
      request = next;
    }
    for (const lingering of this.lingering) {
      if (tick - lingering.endedTick <= limit) break;
      this.lingering.delete(lingering);
      this.release(lingering);
    }
    if (evicted > 0) {
      this.log.report(
        'warn',
        'timeout',
        `${evicted} request(s) open longer than requestTimeoutMs (${this.options.requestTimeoutMs} ms) exported as incomplete`,
      );
    }
  }

  /**
   * The open request `span` belongs to: the span is a root or a parent registered here, or a leaf
   * whose parent is (every span registers its parent when it starts).
   */
  private requestOf(span: object): RequestRecord | undefined {
    if (this.isShutdown) return undefined;
    if (span === this.lastAnnotatedSpan) {
      const last = this.lastAnnotatedRequest!;
      return last.ended ? undefined : last;
    }
    const s = span as Partial<SummarySpan>;
    if (typeof s.spanContext !== 'function') return undefined;
    let request = this.lookup(s.spanContext().spanId)?.request;
    if (request === undefined) {
      const parent = s.parentSpanContext;
      if (parent === undefined || parent === null || parent.isRemote === true) return undefined;
      request = this.lookup(parent.spanId)?.request;
    }
    if (request === undefined || request.ended) return undefined;
    this.lastAnnotatedSpan = span;
    this.lastAnnotatedRequest = request;
    return request;
  }

  private annotate(span: object, attributes: object): void {
    const request = this.requestOf(span);
    if (request === undefined) return;
    const o = this.options;
    const values = attributes as Record<string, unknown>;
    for (const key in values) {
      const outcome = request.annotate(key, values[key], o.maxAnnotations, o.maxAnnotationLength);
      if (outcome === ANNOTATION_DROPPED) {
        this.dropAnnotation();
        continue;
      }
      if (outcome === ANNOTATION_CUT) this.cutAnnotations++;
      if (o.copyAnnotationsToRootSpan) this.copyToRoot(request, key);
    }
  }

  /** Sets the stored value of `key` on the open root span (as stored: cut, summed). */
  private copyToRoot(request: RequestRecord, key: string): void {
    const root = request.root as
      | (SummarySpan & { setAttribute?: (key: string, value: unknown) => unknown })
      | undefined;
    // An ended span would make the SDK warn on every write.
    if (root === undefined || root.ended === true || typeof root.setAttribute !== 'function')
      return;
    root.setAttribute(key, request.annotations!.get(key));
  }

  private dropAnnotation(): void {
    this.droppedAnnotations++;
    this.log.report(
      'debug',
      'droppedAnnotation',
      `annotation dropped (not a string, finite number or boolean, a bad key, or past maxAnnotations = ${this.options.maxAnnotations})`,
    );
  }

  private late(): void {
    this.lateSpans++;
    this.log.report(
      'debug',
      'late',
      'span started or ended after its request ended; not summarised',
    );
  }

  private fold(): void {
    this.foldedSpans++;
    this.log.report(
      'warn',
      'maxOperations',
      `request has more than maxOperations (${this.options.maxOperations}) operations; folding into _other (are span names unbounded?)`,
    );
  }

  /** A throwing `operationKey`, or one returning what is no string: the span is left out. */
  private operationKeyError(error: unknown): void {
    this.processorErrors++;
    this.log.report(
      'error',
      'operationKey',
      'operationKey threw or returned a non-string; span left out of the summary',
      error,
    );
  }

  /**
   * The root's start in ms, or the clock now (the root has just ended) when the start is
   * impossible: not a number, before 2000 or from 2100 on.
   */
  private startTimeMs(root: SummarySpan): number {
    const ms = hrToMs(root.startTime);
    if (ms >= MIN_START_MS && ms < MAX_START_MS) return ms;
    this.clockFallbacks++;
    return Date.now();
  }

  private reportError(error: unknown): void {
    this.processorErrors++;
    this.log.report(
      'error',
      'processorError',
      'error in RequestSummaryProcessor; span ignored',
      error,
    );
  }

  private async flushAll(): Promise<void> {
    this.finishClosing();
    await this.queue.flush();
    const exporter = this.options.exporter;
    if (typeof exporter.forceFlush === 'function') await exporter.forceFlush();
  }

  private async runShutdown(): Promise<void> {
    this.isShutdown = true;
    try {
      if (this.registered) removeTarget(this.annotationTarget);
      clearInterval(this.sweepTimer);
      if (this.closingImmediate !== undefined) clearImmediate(this.closingImmediate);
      this.finishClosing();
      while (this.oldest !== undefined) {
        if (this.oldest.root !== undefined) this.evictedAtShutdown.add(this.oldest.root);
        this.evict(this.oldest);
      }
      this.spans.clear();
      this.lastId = undefined;
      this.lastNode = undefined;
      this.lastAnnotatedSpan = undefined;
      this.lastAnnotatedRequest = undefined;
      this.startedSpan = undefined;
      this.lingering.clear();
      this.queue.close();
    } catch (error) {
      this.reportError(error);
    }
    await this.withDeadline(this.queue.flush(), 'shutdown (flush)');
    const exporter = this.options.exporter;
    await this.withDeadline(
      (async () => {
        await exporter.shutdown();
      })(),
      'shutdown (exporter)',
    );
  }

  /** Waits for `work` at most `exportTimeoutMillis`; never rejects. */
  private withDeadline(work: Promise<void>, what: string): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.log.report(
          'warn',
          'deadline',
          `${what} did not finish within exportTimeoutMillis (${this.options.exportTimeoutMillis} ms)`,
        );
        resolve();
      }, this.options.exportTimeoutMillis);
      timer.unref();
      work.then(
        () => {
          clearTimeout(timer);
          resolve();
        },
        (error: unknown) => {
          clearTimeout(timer);
          this.log.report('error', 'flushFailure', `${what} failed`, error);
          resolve();
        },
      );
    });
  }
}
