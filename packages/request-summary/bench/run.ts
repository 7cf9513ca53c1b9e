/**
 * What RequestSummaryProcessor costs, side by side in one process (medians of interleaved rounds):
 *
 * 1. the processor alone: onStart + onEnd of a child span of a known operation, fed pre-built
 *    span objects (no SDK in the way), and of a whole request (1 root + 13 children);
 * 2. with the SDK: a request of 1 root + 13 children, sync and async, through a provider with no
 *    processor, with a BatchSpanProcessor + no-op exporter, and with RequestSummaryProcessor +
 *    no-op SummaryExporter; the difference to "no processor", divided by 14, is the cost per span;
 * 3. bytes per open request (one operation), from the V8 heap before and after opening 10 000
 *    requests (needs --expose-gc, which the package's bench script passes).
 *
 * Run: pnpm --filter @otel-gelf/request-summary bench   (ROUNDS=… to change the rounds)
 */
import { context, ROOT_CONTEXT, type Span, type Tracer, trace } from '@opentelemetry/api';
import {
  AsyncLocalStorageContextManager,
  createBatchSpanProcessor,
  createTracerProvider,
  type SpanExporter,
} from '../../../compat/sdk2/src/index.js';
import { RequestSummaryProcessor, type SummaryExporter, type SummarySpan } from '../src/index.js';

const ROUNDS = Number(process.env.ROUNDS ?? 15);
const CHILDREN = 13;

const noopSpanExporter: SpanExporter = {
  export: (_spans, done) => done({ code: 0 }),
  shutdown: () => Promise.resolve(),
};
const noopSummaryExporter: SummaryExporter = {
  export: (_summaries, done) => done({ code: 0 }),
  shutdown: () => Promise.resolve(),
};
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

// ---------- 1. the processor alone, on pre-built spans ----------

let idCounter = 0;
function fakeSpan(name: string, parent?: SummarySpan): SummarySpan {
  const spanId = (++idCounter).toString(16).padStart(16, '0');
  const ctx = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId, traceFlags: 1 };
  const parentCtx = parent?.spanContext();
  return {
    name,
    kind: 0,
    spanContext: () => ctx,
    parentSpanContext: parentCtx,
    startTime: [1_764_000_000, 0],
    endTime: [1_764_000_000, 250_000],
    duration: [0, 250_000],
    status: { code: 0 },
    attributes: { 'http.method': 'GET', 'http.route': '/api' },
    resource: { attributes: { 'service.name': 'bench' } },
  };
}

interface FakeRequest {
  root: SummarySpan;
  children: SummarySpan[];
}
function fakeRequests(n: number): FakeRequest[] {
  const out: FakeRequest[] = [];
  for (let i = 0; i < n; i++) {
    const root = fakeSpan('GET /api');
    const children = [fakeSpan('some_slow_stuff', root)];
    for (let c = 1; c < CHILDREN; c++) children.push(fakeSpan('fast_stuff', root));
    out.push({ root, children });
  }
  return out;
}

/** ns per child span (onStart + onEnd) in a long-lived request whose operation is known. */
function processorPerSpan(n: number): number {
  const processor = new RequestSummaryProcessor({ exporter: noopSummaryExporter });
  const root = fakeSpan('root');
  const spans: SummarySpan[] = [];
  for (let i = 0; i < n; i++) spans.push(fakeSpan('fast_stuff', root));
  processor.onStart(root, ROOT_CONTEXT);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const s = spans[i]!;
    processor.onStart(s, ROOT_CONTEXT);
    processor.onEnd(s);
  }
  const ns = Number(process.hrtime.bigint() - t0) / n;
  void processor.shutdown();
  return ns;
}

/** ns per request of 1 root + 13 children, summary and queueing included. */
async function processorPerRequest(requests: FakeRequest[]): Promise<number> {
  const processor = new RequestSummaryProcessor({ exporter: noopSummaryExporter });
  let elapsed = 0n;
  for (let i = 0; i < requests.length; i += 100) {
    const t0 = process.hrtime.bigint();
    for (let j = i; j < i + 100 && j < requests.length; j++) {
      const { root, children } = requests[j]!;
      processor.onStart(root, ROOT_CONTEXT);
      for (const c of children) {
        processor.onStart(c, ROOT_CONTEXT);
        processor.onEnd(c);
      }
      processor.onEnd(root);
    }
    elapsed += process.hrtime.bigint() - t0;
    await turn(); // let the batches go out, as a server's event loop would
  }
  await processor.shutdown();
  return Number(elapsed) / requests.length;
}

// ---------- 2. with the SDK ----------

function syncRequest(tracer: Tracer): void {
  tracer.startActiveSpan('GET /api', (root: Span) => {
    tracer.startActiveSpan('some_slow_stuff', (s: Span) => s.end());
    for (let c = 1; c < CHILDREN; c++) tracer.startActiveSpan('fast_stuff', (s: Span) => s.end());
    root.end();
  });
}
async function asyncRequest(tracer: Tracer): Promise<void> {
  await tracer.startActiveSpan('GET /api', async (root: Span) => {
    await tracer.startActiveSpan('some_slow_stuff', async (s: Span) => {
      await null;
      s.end();
    });
    for (let c = 1; c < CHILDREN; c++) {
      await tracer.startActiveSpan('fast_stuff', async (s: Span) => {
        await null;
        s.end();
      });
    }
    root.end();
  });
}

/** ns per request; the event loop turns every 100 requests so that batch processors export. */
async function sdkRun(tracer: Tracer, n: number, async: boolean): Promise<number> {
  let elapsed = 0n;
  for (let i = 0; i < n; i += 100) {
    const t0 = process.hrtime.bigint();
    if (async) for (let j = 0; j < 100; j++) await asyncRequest(tracer);
    else for (let j = 0; j < 100; j++) syncRequest(tracer);
    elapsed += process.hrtime.bigint() - t0;
    await turn();
  }
  return Number(elapsed) / n;
}

// ---------- 3. memory ----------

function heapUsed(): number {
  const gc = (globalThis as { gc?: () => void }).gc!;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Bytes the processor holds per open request with one (ended) operation. */
function bytesPerOpenRequest(n: number): number {
  const requests = fakeRequests(n).map((r) => ({ root: r.root, child: r.children[0]! }));
  const processor = new RequestSummaryProcessor({
    exporter: noopSummaryExporter,
    maxOpenRequests: n,
  });
  const before = heapUsed();
  for (const { root, child } of requests) {
    processor.onStart(root, ROOT_CONTEXT);
    processor.onStart(child, ROOT_CONTEXT);
    processor.onEnd(child);
  }
  const after = heapUsed();
  if (processor.stats().openRequests !== n) throw new Error('requests were not all open');
  void processor.shutdown();
  return (after - before) / n;
}

// ---------- main ----------

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

async function main(): Promise<void> {
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  const summaryProcessor = new RequestSummaryProcessor({ exporter: noopSummaryExporter });
  const providers = {
    'no processor': createTracerProvider({ spanProcessors: [] }),
    'BatchSpanProcessor + no-op exporter': createTracerProvider({
      spanProcessors: [createBatchSpanProcessor(noopSpanExporter)],
    }),
    'RequestSummaryProcessor + no-op exporter': createTracerProvider({
      spanProcessors: [summaryProcessor],
    }),
  };
  const tracers = Object.entries(providers).map(
    ([name, p]) => [name, p.getTracer('bench')] as const,
  );

  const samples = new Map<string, number[]>();
  const add = (key: string, v: number) => samples.set(key, [...(samples.get(key) ?? []), v]);
  const fake = fakeRequests(2000);
  // Warm-up round, not recorded.
  for (let round = -1; round < ROUNDS; round++) {
    const record = round >= 0 ? add : () => {};
    record('processor alone: ns per child span (onStart + onEnd)', processorPerSpan(200_000));
    record(
      'processor alone: ns per request (1 root + 13 children)',
      await processorPerRequest(fake),
    );
    // Interleave the providers, rotating which goes first.
    for (let k = 0; k < tracers.length; k++) {
      const [name, tracer] = tracers[(k + Math.max(round, 0)) % tracers.length]!;
      record(`sync  | ${name}`, await sdkRun(tracer, 2000, false));
      record(`async | ${name}`, await sdkRun(tracer, 1000, true));
    }
  }

  const med = new Map([...samples].map(([k, v]) => [k, median(v)]));
  console.log(`Node ${process.version}, ${ROUNDS} interleaved rounds, medians\n`);
  console.log('| case | ns per request | added ns per span vs no processor |');
  console.log('| --- | ---: | ---: |');
  for (const mode of ['sync ', 'async']) {
    const base = med.get(`${mode} | no processor`)!;
    for (const [name] of tracers) {
      const v = med.get(`${mode} | ${name}`)!;
      const added = name === 'no processor' ? '' : ((v - base) / (CHILDREN + 1)).toFixed(1);
      console.log(`| ${mode.trim()} · ${name} | ${v.toFixed(0)} | ${added} |`);
    }
  }
  console.log(
    `| processor alone · per child span (onStart + onEnd) | | ${med.get('processor alone: ns per child span (onStart + onEnd)')!.toFixed(1)} |`,
  );
  const perRequest = med.get('processor alone: ns per request (1 root + 13 children)')!;
  console.log(
    `| processor alone · per request, summary included | ${perRequest.toFixed(0)} | ${(perRequest / (CHILDREN + 1)).toFixed(1)} |`,
  );
  for (const mode of ['sync ', 'async']) {
    const ours = med.get(`${mode} | RequestSummaryProcessor + no-op exporter`)!;
    const bsp = med.get(`${mode} | BatchSpanProcessor + no-op exporter`)!;
    const base = med.get(`${mode} | no processor`)!;
    console.log(
      `\n${mode.trim()}: RequestSummaryProcessor / no processor = ${(ours / base).toFixed(3)}, BatchSpanProcessor / no processor = ${(bsp / base).toFixed(3)}`,
    );
  }

  if (typeof (globalThis as { gc?: unknown }).gc === 'function') {
    const bytes = median([1, 2, 3, 4, 5].map(() => bytesPerOpenRequest(10_000)));
    console.log(
      `\nmemory: ${bytes.toFixed(0)} bytes per open request with one operation (10 000 open, median of 5)`,
    );
  } else {
    console.log('\nmemory: skipped (run with --expose-gc)');
  }
  await Promise.all(Object.values(providers).map((p) => p.shutdown()));
  trace.disable();
  context.disable();
}

await main();
