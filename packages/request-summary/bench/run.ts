/**
 * What RequestSummaryProcessor costs, side by side in one process (medians of interleaved rounds):
 *
 * 1. the processor alone, fed SDK-shaped spans (fresh ids, as the SDK makes them): the cost of a
 *    request with only a root (summary, queue, export) and, by difference with 1 root + 13
 *    children, the cost per child span (onStart + onEnd);
 * 2. with the SDK: a request of 1 root + 13 children, sync and async, through a provider with no
 *    processor, with a BatchSpanProcessor + no-op exporter, and with RequestSummaryProcessor +
 *    no-op SummaryExporter; the difference to "no processor", divided by 14, is the cost per span;
 * 3. bytes per open request (one operation), from the V8 heap before and after opening 10 000
 *    requests (needs --expose-gc, which the package's bench script passes);
 * 4. ns per call of `annotateRequest` and `countInRequest` inside a request (the active span a
 *    child of a tracked root), outside one, and with no processor in the process, beside
 *    `trace.getActiveSpan().setAttribute(…)` and an empty call.
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
import { registry } from '../src/annotation-registry.js';
import {
  annotateRequest,
  countInRequest,
  RequestSummaryProcessor,
  type SummaryExporter,
  type SummarySpan,
} from '../src/index.js';

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

// ---------- 1. the processor alone ----------

// Span ids made the way the SDK makes them: a fresh 16-hex-digit string per span.
const idBuffer = Buffer.alloc(8);
let idCounter = 0;
function newSpanId(): string {
  idCounter++;
  idBuffer.writeUInt32BE(idCounter >>> 0, 0);
  idBuffer.writeUInt32BE(Math.imul(idCounter, 2_654_435_761) >>> 0, 4);
  return idBuffer.toString('hex');
}

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const ROOT_ATTRIBUTES = {
  'http.request.method': 'GET',
  'http.route': '/api',
  'http.response.status_code': 200,
};
const RESOURCE = { attributes: { 'service.name': 'bench' } };

/** A span shaped like the SDK's, made fresh per use as the SDK makes them. */
class BenchSpan implements SummarySpan {
  readonly name: string;
  readonly kind = 0;
  private readonly context: { traceId: string; spanId: string; traceFlags: number };
  readonly parentSpanContext: { traceId: string; spanId: string; traceFlags: number } | undefined;
  readonly startTime: [number, number] = [1_764_000_000, 0];
  readonly endTime: [number, number] = [1_764_000_000, 250_000];
  readonly duration: [number, number] = [0, 250_000];
  readonly status = { code: 0 };
  readonly attributes = ROOT_ATTRIBUTES;
  readonly resource = RESOURCE;
  constructor(name: string, parent?: BenchSpan) {
    this.name = name;
    this.context = { traceId: TRACE_ID, spanId: newSpanId(), traceFlags: 1 };
    this.parentSpanContext = parent?.context;
  }
  spanContext() {
    return this.context;
  }
}

let sink = 0;
/**
 * ns per request of 1 root + `children` children: spans are created in both variants, only the
 * second feeds them to the processor; the event loop turns every 100 requests so batches go out.
 */
async function processorRequests(
  processor: RequestSummaryProcessor | undefined,
  n: number,
  children: number,
): Promise<number> {
  let elapsed = 0n;
  for (let i = 0; i < n; i += 100) {
    const t0 = process.hrtime.bigint();
    for (let j = 0; j < 100; j++) {
      const root = new BenchSpan('GET /api');
      processor?.onStart(root, ROOT_CONTEXT);
      for (let c = 0; c < children; c++) {
        const span = new BenchSpan(c === 0 ? 'some_slow_stuff' : 'fast_stuff', root);
        processor?.onStart(span, ROOT_CONTEXT);
        processor?.onEnd(span);
        sink += span.name.length;
      }
      processor?.onEnd(root);
    }
    elapsed += process.hrtime.bigint() - t0;
    await turn();
  }
  return Number(elapsed) / n;
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

/**
 * ns per request for each tracer, measured in chunks of 100 requests that alternate between the
 * tracers (so that load from elsewhere on a shared machine hits them alike); the event loop turns
 * after every chunk so that batch processors export.
 */
async function sdkRound(
  tracers: ReadonlyArray<readonly [string, Tracer]>,
  chunks: number,
  async: boolean,
  offset: number,
): Promise<Map<string, number>> {
  const elapsed = new Map<string, bigint>(tracers.map(([name]) => [name, 0n]));
  for (let c = 0; c < chunks; c++) {
    for (let k = 0; k < tracers.length; k++) {
      const [name, tracer] = tracers[(k + c + offset) % tracers.length]!;
      const t0 = process.hrtime.bigint();
      if (async) for (let j = 0; j < 100; j++) await asyncRequest(tracer);
      else for (let j = 0; j < 100; j++) syncRequest(tracer);
      elapsed.set(name, elapsed.get(name)! + (process.hrtime.bigint() - t0));
      await turn();
    }
  }
  return new Map([...elapsed].map(([name, ns]) => [name, Number(ns) / (chunks * 100)]));
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
  const requests: Array<{ root: BenchSpan; child: BenchSpan }> = [];
  for (let i = 0; i < n; i++) {
    const root = new BenchSpan('GET /api');
    requests.push({ root, child: new BenchSpan('fast_stuff', root) });
  }
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

// ---------- 4. annotations ----------

const CALLS = 20_000;

/** ns per call of `fn`, called CALLS times in a loop. */
function perCall(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) fn();
  return Number(process.hrtime.bigint() - t0) / CALLS;
}

const annotationCases: ReadonlyArray<readonly [string, () => void]> = [
  ['empty call (baseline)', () => {}],
  ["annotateRequest({ user_id: 'u-42' })", () => annotateRequest({ user_id: 'u-42' })],
  ["countInRequest('cache_miss')", () => countInRequest('cache_miss')],
  [
    "trace.getActiveSpan().setAttribute('user_id', 'u-42')",
    () => trace.getActiveSpan()?.setAttribute('user_id', 'u-42'),
  ],
];

/**
 * The registry entry `tracer`'s processor adds when its first request starts, so that a round
 * can measure with that one processor registered, as an application has it.
 */
function targetOf(tracer: Tracer): (typeof registry.targets)[number] {
  const before = new Set(registry.targets);
  tracer.startActiveSpan('first', (root: Span) => root.end());
  const added = registry.targets.filter((t) => !before.has(t));
  if (added.length !== 1) throw new Error('expected the first request to register its processor');
  return added[0]!;
}

/** Runs `fn` with only `targets` in the process-wide registry. */
function withTargets(targets: typeof registry.targets, fn: () => void): void {
  const saved = registry.targets;
  registry.targets = targets;
  try {
    fn();
  } finally {
    registry.targets = saved;
  }
}

/**
 * One round of every annotation case in every place: inside a request of `tracer` (in a child
 * span, as deep code is), inside one of `copyTracer` (copyAnnotationsToRootSpan), outside any
 * request, and with no processor registered (the registry emptied for the measurement).
 */
function annotationRound(
  [tracer, target]: readonly [Tracer, (typeof registry.targets)[number]],
  [copyTracer, copyTarget]: readonly [Tracer, (typeof registry.targets)[number]],
  record: (key: string, v: number) => void,
): void {
  const inside = (t: Tracer, where: string) =>
    t.startActiveSpan('GET /api', (root: Span) => {
      t.startActiveSpan('deep', (s: Span) => {
        for (const [name, fn] of annotationCases) record(`${where} | ${name}`, perCall(fn));
        s.end();
      });
      root.end();
    });
  withTargets([target], () => inside(tracer, 'inside a request'));
  withTargets([copyTarget], () => inside(copyTracer, 'inside, copyAnnotationsToRootSpan'));
  withTargets([target], () => {
    for (const [name, fn] of annotationCases) record(`outside a request | ${name}`, perCall(fn));
  });
  withTargets([], () =>
    tracer.startActiveSpan('GET /api', (root: Span) => {
      for (const [name, fn] of annotationCases) record(`no processor | ${name}`, perCall(fn));
      root.end();
    }),
  );
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
  const alone = new RequestSummaryProcessor({ exporter: noopSummaryExporter });
  const copyProvider = createTracerProvider({
    spanProcessors: [
      new RequestSummaryProcessor({
        exporter: noopSummaryExporter,
        copyAnnotationsToRootSpan: true,
      }),
    ],
  });
  const annotationTracer = providers['RequestSummaryProcessor + no-op exporter'].getTracer('a');
  const copyTracer = copyProvider.getTracer('copy');
  const annotating = [annotationTracer, targetOf(annotationTracer)] as const;
  const copying = [copyTracer, targetOf(copyTracer)] as const;
  // Warm-up round, not recorded.
  for (let round = -1; round < ROUNDS; round++) {
    const record = round >= 0 ? add : () => {};
    record('alone | spans only, 1+13', await processorRequests(undefined, 2000, CHILDREN));
    record('alone | processor, 1+13', await processorRequests(alone, 2000, CHILDREN));
    record('alone | spans only, 1+2', await processorRequests(undefined, 2000, 2));
    record('alone | processor, 1+2', await processorRequests(alone, 2000, 2));
    record('alone | spans only, root', await processorRequests(undefined, 2000, 0));
    record('alone | processor, root', await processorRequests(alone, 2000, 0));
    const offset = Math.max(round, 0);
    for (const [name, ns] of await sdkRound(tracers, 20, false, offset))
      record(`sync  | ${name}`, ns);
    for (const [name, ns] of await sdkRound(tracers, 10, true, offset))
      record(`async | ${name}`, ns);
    annotationRound(annotating, copying, record);
    await turn();
  }

  const med = new Map([...samples].map(([k, v]) => [k, median(v)]));
  console.log(`Node ${process.version}, ${ROUNDS} interleaved rounds, medians\n`);
  console.log('with the SDK (BasicTracerProvider, AsyncLocalStorage context manager):');
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
  const full = med.get('alone | processor, 1+13')! - med.get('alone | spans only, 1+13')!;
  const rootOnly = med.get('alone | processor, root')! - med.get('alone | spans only, root')!;
  // 1 + 13 and 1 + 2 have the same two operations: the difference is 11 spans of a known one.
  const twoOps = med.get('alone | processor, 1+2')! - med.get('alone | spans only, 1+2')!;
  console.log(
    '\nprocessor alone (SDK-shaped spans fed to onStart/onEnd, span creation subtracted):',
  );
  console.log('| case | ns |\n| --- | ---: |');
  console.log(
    `| per child span (onStart + onEnd) | ${((full - twoOps) / (CHILDREN - 2)).toFixed(1)} |`,
  );
  console.log(
    `| per request: root, summary, queue, export (no children) | ${rootOnly.toFixed(0)} |`,
  );
  console.log(`| per request of 1 root + 2 children (two operations) | ${twoOps.toFixed(0)} |`);
  console.log(`| per request of 1 root + 13 children | ${full.toFixed(0)} |`);
  console.log(`| the same, per span | ${(full / (CHILDREN + 1)).toFixed(1)} |`);
  for (const mode of ['sync ', 'async']) {
    const ours = med.get(`${mode} | RequestSummaryProcessor + no-op exporter`)!;
    const bsp = med.get(`${mode} | BatchSpanProcessor + no-op exporter`)!;
    const base = med.get(`${mode} | no processor`)!;
    console.log(
      `\n${mode.trim()}: RequestSummaryProcessor / no processor = ${(ours / base).toFixed(3)}, BatchSpanProcessor / no processor = ${(bsp / base).toFixed(3)}`,
    );
  }

  console.log(
    '\nannotations, ns per call (one RequestSummaryProcessor registered; the active span a child of the root):',
  );
  const places = [
    'inside a request',
    'inside, copyAnnotationsToRootSpan',
    'outside a request',
    'no processor',
  ];
  console.log(`| call | ${places.join(' | ')} |`);
  console.log(`| --- |${places.map(() => ' ---: |').join('')}`);
  for (const [name] of annotationCases) {
    const cells = places.map((where) => med.get(`${where} | ${name}`)!.toFixed(1));
    console.log(`| ${name.replaceAll('|', '\\|')} | ${cells.join(' | ')} |`);
  }

  if (typeof (globalThis as { gc?: unknown }).gc === 'function') {
    const bytes = median([1, 2, 3, 4, 5].map(() => bytesPerOpenRequest(10_000)));
    console.log(
      `\nmemory: ${bytes.toFixed(0)} bytes per open request with one operation (10 000 open, median of 5)`,
    );
  } else {
    console.log('\nmemory: skipped (run with --expose-gc)');
  }
  await alone.shutdown();
  if (sink === 42) console.log('');
  await Promise.all([...Object.values(providers), copyProvider].map((p) => p.shutdown()));
  trace.disable();
  context.disable();
}

await main();
