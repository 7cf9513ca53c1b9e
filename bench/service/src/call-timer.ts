/*
 * `--time-calls`: how long the span processors' onStart and onEnd take inside the running
 * service, call by call. The package benches call the processor in a tight loop, where its data
 * stays in the CPU's caches; in a service, a span ends a millisecond after it started, other
 * requests and other processes ran in between, and the first touch of each object is a cache
 * miss. These figures are what the processors cost there. Wall time per call (`performance.now()`
 * around each call, the clock's own cost subtracted): the medians are the calls themselves, the
 * means also carry the rare calls a garbage collection or the scheduler interrupted.
 */
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { CallStats, ProcessorCalls } from './protocol.js';

/** Calls kept per window and hook; past it, the window's first calls stand for it. */
const MAX_CALLS = 1 << 19;

/** Durations of one hook's calls in a window, in ms. */
class Calls {
  private readonly ms = new Float64Array(MAX_CALLS);
  private n = 0;
  private total = 0;
  count = 0;

  add(ms: number): void {
    this.count++;
    this.total += ms;
    if (this.n < MAX_CALLS) this.ms[this.n++] = ms;
  }

  reset(): void {
    this.n = 0;
    this.total = 0;
    this.count = 0;
  }

  stats(clockMs: number): CallStats {
    const sorted = this.ms.slice(0, this.n).sort();
    const at = (q: number) =>
      this.n === 0 ? 0 : Math.max(0, sorted[Math.floor(q * (this.n - 1))]! - clockMs) * 1e6;
    return {
      calls: this.count,
      p50Ns: at(0.5),
      p90Ns: at(0.9),
      p99Ns: at(0.99),
      meanNs: this.count === 0 ? 0 : Math.max(0, this.total / this.count - clockMs) * 1e6,
      totalUs: Math.max(0, this.total - clockMs * this.count) * 1e3,
    };
  }
}

/** The median cost of the clock read pair that brackets each call, in ms. */
function clockPairMs(): number {
  const samples = new Float64Array(20_001);
  for (let i = 0; i < samples.length; i++) {
    const t = performance.now();
    samples[i] = performance.now() - t;
  }
  return samples.sort()[10_000]!;
}

/** Times the calls of the processors it wraps; {@link take} reads and resets a window. */
export class CallTimer {
  private readonly starts = new Calls();
  private readonly ends = new Calls();
  private readonly clockMs = clockPairMs();

  /** `processor`, with each onStart and onEnd call timed. */
  wrap(processor: SpanProcessor): SpanProcessor {
    const { starts, ends } = this;
    return {
      onStart(span: Span, parentContext: Context): void {
        const t = performance.now();
        processor.onStart(span, parentContext);
        starts.add(performance.now() - t);
      },
      onEnd(span: ReadableSpan): void {
        const t = performance.now();
        processor.onEnd(span);
        ends.add(performance.now() - t);
      },
      forceFlush: () => processor.forceFlush(),
      shutdown: () => processor.shutdown(),
    };
  }

  /** What the calls since the last `take` (or `reset`) cost. */
  take(): ProcessorCalls {
    const calls = {
      clockNs: this.clockMs * 1e6,
      onStart: this.starts.stats(this.clockMs),
      onEnd: this.ends.stats(this.clockMs),
    };
    this.reset();
    return calls;
  }

  reset(): void {
    this.starts.reset();
    this.ends.reset();
  }
}
