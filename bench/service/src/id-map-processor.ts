import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';

/** What the floor processor keeps per request. */
interface RequestCount {
  spans: number;
  durationNs: number;
}

/** Where the `floor` setup's processor sends one message per request. */
export interface RequestSink {
  requestEnded(): void;
  flush(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The floor of per-request bookkeeping, for the `id-map` setup: every span finds its request by
 * its parent's id in one map and counts itself there, and nothing else (no statistics, no self
 * time, no summary, no export). What any processor that groups spans by request while they run
 * pays at least, in a real service, where each call starts with its data out of the caches.
 */
export class IdMapProcessor implements SpanProcessor {
  private readonly requests = new Map<string, RequestCount>();
  private readonly sink: RequestSink | undefined;

  /** @param sink - told of each request's end (the `floor` setup sends one message there) */
  constructor(sink?: RequestSink) {
    this.sink = sink;
  }

  onStart(span: Span): void {
    const parent = span.parentSpanContext;
    const id = span.spanContext().spanId;
    if (parent === undefined || parent.isRemote === true) {
      this.requests.set(id, { spans: 0, durationNs: 0 });
      return;
    }
    const request = this.requests.get(parent.spanId);
    if (request !== undefined) this.requests.set(id, request);
  }

  onEnd(span: ReadableSpan): void {
    const parent = span.parentSpanContext;
    const tracked = this.requests.delete(span.spanContext().spanId);
    if (parent !== undefined && parent.isRemote !== true) {
      const request = this.requests.get(parent.spanId);
      if (request !== undefined) {
        request.spans++;
        request.durationNs += span.duration[0] * 1e9 + span.duration[1];
      }
    } else if (tracked) {
      this.sink?.requestEnded();
    }
  }

  forceFlush(): Promise<void> {
    return this.sink?.flush() ?? Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.requests.clear();
    return this.sink?.close() ?? Promise.resolve();
  }
}
