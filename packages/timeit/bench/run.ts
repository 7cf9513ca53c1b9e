/**
 * ns per call of a bare call, a seed-style wrapper (the classic Python decorator port: two
 * clock reads and a ring of the last 5 durations), a hand-written `tracer.startActiveSpan` and
 * `timeit`, sync and async, with no SDK registered and with an SDK (SimpleSpanProcessor + a
 * no-op exporter). Medians of interleaved rounds, side by side in one process.
 *
 * Run: pnpm --filter @otel-gelf/timeit bench
 */
import { type Span, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import {
  createSimpleSpanProcessor,
  resetGlobals,
  type SpanExporter,
  setupTracing,
} from '../../../compat/sdk2/src/index.js';
import { timeit } from '../src/index.js';

const ROUNDS = Number(process.env.ROUNDS ?? 21);

function add(a: number, b: number): number {
  return a + b;
}
async function addAsync(a: number, b: number): Promise<number> {
  return a + b;
}

// The seed's pattern: per function count/min/max and a deque(maxlen=5) of durations.
function seedStyle<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  const ring = new Float64Array(5);
  let count = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = 0;
  return (...args: A): R => {
    const start = performance.now();
    try {
      return fn(...args);
    } finally {
      const ms = performance.now() - start;
      ring[count % 5] = ms;
      count++;
      if (ms < min) min = ms;
      if (ms > max) max = ms;
    }
  };
}
function seedStyleAsync<A extends unknown[], R>(
  fn: (...args: A) => Promise<R>,
): (...args: A) => Promise<R> {
  const ring = new Float64Array(5);
  let count = 0;
  return async (...args: A): Promise<R> => {
    const start = performance.now();
    try {
      return await fn(...args);
    } finally {
      ring[count % 5] = performance.now() - start;
      count++;
    }
  };
}

// What a careful user writes by hand: same name and attribute as timeit, errors recorded.
const spanOptions = { attributes: { 'code.function.name': 'add' } };
function failed(span: Span, error: unknown): void {
  span.recordException(error as Error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
}
function handwritten(tracer: Tracer) {
  return (a: number, b: number): number =>
    tracer.startActiveSpan('add', spanOptions, (span) => {
      try {
        return add(a, b);
      } catch (error) {
        failed(span, error);
        throw error;
      } finally {
        span.end();
      }
    });
}
function handwrittenAsync(tracer: Tracer) {
  return (a: number, b: number): Promise<number> =>
    tracer.startActiveSpan('add', spanOptions, async (span) => {
      try {
        return await addAsync(a, b);
      } catch (error) {
        failed(span, error);
        throw error;
      } finally {
        span.end();
      }
    });
}

// Wrapped once, before any provider exists: the SDK phase also shows late registration works.
const timedAdd = timeit(add);
const timedAddAsync = timeit(addAsync);

let sink = 0;
function measureSync(fn: (a: number, b: number) => number, n: number): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) sink += fn(i, 1);
  return Number(process.hrtime.bigint() - t0) / n;
}
async function measureAsync(fn: (a: number, b: number) => Promise<number>, n: number) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) sink += await fn(i, 1);
  return Number(process.hrtime.bigint() - t0) / n;
}

type Case = { name: string; run: () => number | Promise<number> };

async function rounds(cases: Case[]): Promise<Map<string, number>> {
  const samples = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  for (const c of cases) await c.run(); // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    // Rotate the order each round so no case always runs first (GC, turbo, noisy neighbours).
    for (let i = 0; i < cases.length; i++) {
      const c = cases[(i + r) % cases.length]!;
      samples.get(c.name)!.push(await c.run());
    }
  }
  const medians = new Map<string, number>();
  for (const [name, xs] of samples) {
    xs.sort((a, b) => a - b);
    medians.set(name, xs[xs.length >> 1]!);
  }
  return medians;
}

const noopExporter: SpanExporter = {
  export(_spans, done) {
    done({ code: 0 });
  },
  shutdown: () => Promise.resolve(),
};

async function main(): Promise<void> {
  const rows: [string, number][] = [];
  const N0 = 1_000_000;
  const NA0 = 200_000;

  // Phase 1: no SDK registered (the api's no-op tracer).
  resetGlobals();
  const noopTracer = trace.getTracer('bench');
  const seed = seedStyle(add);
  const seedA = seedStyleAsync(addAsync);
  const hwNoSdk = handwritten(noopTracer);
  const hwNoSdkA = handwrittenAsync(noopTracer);
  const p1 = await rounds([
    { name: 'sync  bare', run: () => measureSync(add, N0) },
    { name: 'sync  seed-style wrapper', run: () => measureSync(seed, N0) },
    { name: 'sync  handwritten (no SDK)', run: () => measureSync(hwNoSdk, N0) },
    { name: 'sync  timeit (no SDK)', run: () => measureSync(timedAdd, N0) },
    { name: 'async bare', run: () => measureAsync(addAsync, NA0) },
    { name: 'async seed-style wrapper', run: () => measureAsync(seedA, NA0) },
    { name: 'async handwritten (no SDK)', run: () => measureAsync(hwNoSdkA, NA0) },
    { name: 'async timeit (no SDK)', run: () => measureAsync(timedAddAsync, NA0) },
  ]);
  rows.push(...p1);

  // Phase 2: an SDK registered after wrapping (ALS context manager, SimpleSpanProcessor, no-op exporter).
  const tracing = setupTracing({ spanProcessors: [createSimpleSpanProcessor(noopExporter)] });
  const sdkTracer = trace.getTracer('bench');
  const hw = handwritten(sdkTracer);
  const hwA = handwrittenAsync(sdkTracer);
  const N1 = 50_000;
  const NA1 = 30_000;
  const p2 = await rounds([
    { name: 'sync  bare (SDK)', run: () => measureSync(add, N1) },
    { name: 'sync  handwritten startActiveSpan', run: () => measureSync(hw, N1) },
    { name: 'sync  timeit (SDK)', run: () => measureSync(timedAdd, N1) },
    { name: 'async bare (SDK)', run: () => measureAsync(addAsync, NA1) },
    { name: 'async handwritten startActiveSpan', run: () => measureAsync(hwA, NA1) },
    { name: 'async timeit (SDK)', run: () => measureAsync(timedAddAsync, NA1) },
  ]);
  rows.push(...p2);
  await tracing.shutdown();

  const all = new Map(rows);
  const v = (k: string) => all.get(k)!;
  console.log(`Node ${process.version}, ${ROUNDS} interleaved rounds, medians (ns per call)\n`);
  console.log('| case | ns/call |\n| --- | ---: |');
  for (const [name, ns] of rows) console.log(`| ${name} | ${ns.toFixed(1)} |`);
  const ratio = (a: string, b: string) => (v(a) / v(b)).toFixed(3);
  console.log('\nratios');
  console.log(
    `  sync  timeit / handwritten (SDK): ${ratio('sync  timeit (SDK)', 'sync  handwritten startActiveSpan')}`,
  );
  console.log(
    `  async timeit / handwritten (SDK): ${ratio('async timeit (SDK)', 'async handwritten startActiveSpan')}`,
  );
  console.log(
    `  sync  timeit (no SDK) - bare: ${(v('sync  timeit (no SDK)') - v('sync  bare')).toFixed(1)} ns`,
  );
  console.log(
    `  async timeit (no SDK) - bare: ${(v('async timeit (no SDK)') - v('async bare')).toFixed(1)} ns`,
  );
  console.log(
    `  sync  seed-style - bare: ${(v('sync  seed-style wrapper') - v('sync  bare')).toFixed(1)} ns`,
  );
  if (sink === 42) console.log('');
}

await main();
