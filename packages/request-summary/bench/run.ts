/**
 * What RequestSummaryProcessor costs, side by side in one process (medians of interleaved rounds;
 * a figure derived from several cases, such as the cost per child span, is computed within each
 * round and its median over the rounds is shown):
 *
 * 1. the processor alone, fed SDK-shaped spans (fresh ids, as the SDK makes them): the cost of a
 *    request with only a root (summary, queue, export) and, by difference between 1 root + 101
 *    children and 1 root + 2, the cost per child span (onStart + onEnd); the cost per span when 64
 *    requests are open at once and their spans interleave (each request cold in the caches when
 *    its next span comes, as in a busy service); each with self time and the breakdown
 *    off (`selfTime: false`, as before they existed) and on (the default), side by side, and a
 *    nested request shaped like Express + pg (root, handler, 6 queries, 2 of them in parallel) and
 *    one shaped like the whole-service bench's (Express, a handler with 14 `timeit` calls);
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
import { context, ROOT_CONTEXT, type Span, SpanKind, type Tracer, trace } from '@opentelemetry/api';
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

/** Roots are SERVER spans: only request roots are summarised. */
const SERVER = { kind: SpanKind.SERVER };
const ROUNDS = Number(process.env.ROUNDS ?? 15);
const CHILDREN = 13;
/**
 * Children of the long request the cost per child span is measured with: 99 spans more than the
 * request of 1 + 2 (the same two operations) give a figure that load from elsewhere moves less
 * than 11 would.
 */
const LONG = 101;
/** Requests open at once in the interleaved (cold) case. */
const INTERLEAVED = 64;

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

const DB_ATTRIBUTES = { 'db.system.name': 'postgresql', 'db.namespace': 'app' };

/**
 * A span shaped like the SDK's, made fresh per use as the SDK makes them; `at` is its start in
 * ms from a whole second (the SDK's starts are whole milliseconds), and it lasts 0.25 ms unless
 * `end` says otherwise.
 */
class BenchSpan implements SummarySpan {
  readonly name: string;
  readonly kind: number;
  private readonly context: { traceId: string; spanId: string; traceFlags: number };
  readonly parentSpanContext: { traceId: string; spanId: string; traceFlags: number } | undefined;
  readonly startTime: [number, number];
  endTime: [number, number];
  duration: [number, number];
  readonly status = { code: 0 };
  readonly attributes: Record<string, string | number>;
  readonly resource = RESOURCE;
  readonly ended = false;
  constructor(name: string, parent?: BenchSpan, at = 0, db = false) {
    this.name = name;
    // A root is a SERVER span: only request roots are summarised.
    this.kind = db ? 2 : parent === undefined ? 1 : 0;
    this.attributes = db ? DB_ATTRIBUTES : ROOT_ATTRIBUTES;
    this.context = { traceId: TRACE_ID, spanId: newSpanId(), traceFlags: 1 };
    this.parentSpanContext = parent?.context;
    this.startTime = [1_764_000_000, at * 1e6];
    this.endTime = [1_764_000_000, at * 1e6 + 250_000];
    this.duration = [0, 250_000];
  }
  spanContext() {
    return this.context;
  }
  /** Ends the span `ms` after its start. */
  end(ms: number): this {
    const ns = Math.round(ms * 1e6);
    this.endTime = [this.startTime[0], this.startTime[1] + ns];
    this.duration = [0, ns];
    return this;
  }
}

let sink = 0;
/**
 * ns per request of 1 root + `children` children: spans are created in both variants, only the
 * second feeds them to the processor; the event loop turns every 100 requests so batches go out.
 */
function processorRequests(
  processor: RequestSummaryProcessor | undefined,
  n: number,
  children: number,
): Promise<number> {
  return perRequest(n, () => {
    const root = new BenchSpan('GET /api');
    processor?.onStart(root, ROOT_CONTEXT);
    for (let c = 0; c < children; c++) {
      const span = new BenchSpan(c === 0 ? 'some_slow_stuff' : 'fast_stuff', root, c);
      processor?.onStart(span, ROOT_CONTEXT);
      processor?.onEnd(span);
      sink += span.name.length;
    }
    processor?.onEnd(root);
  });
}

/**
 * ns per `request()`, over `n` of them timed in chunks of 100; the event loop turns after each
 * chunk so that batches go out.
 */
async function perRequest(n: number, request: () => void): Promise<number> {
  let elapsed = 0n;
  for (let i = 0; i < n; i += 100) {
    const t0 = process.hrtime.bigint();
    for (let j = 0; j < 100; j++) request();
    elapsed += process.hrtime.bigint() - t0;
    await turn();
  }
  return Number(elapsed) / n;
}

/**
 * ns per span of {@link INTERLEAVED} requests open at once, each of 1 root + `children` children,
 * each request's spans between those of the others, as a busy service interleaves them: what the
 * processor keeps per request is no longer in the nearest caches when that request's next span
 * comes. Spans are created in both variants; only the second feeds them to the processor.
 */
async function interleavedRequests(
  processor: RequestSummaryProcessor | undefined,
  n: number,
  children: number,
): Promise<number> {
  const roots = new Array<BenchSpan>(INTERLEAVED);
  let elapsed = 0n;
  for (let i = 0; i < n; i += INTERLEAVED) {
    const t0 = process.hrtime.bigint();
    for (let r = 0; r < INTERLEAVED; r++) {
      const root = new BenchSpan('GET /api');
      roots[r] = root;
      processor?.onStart(root, ROOT_CONTEXT);
    }
    for (let c = 0; c < children; c++) {
      for (let r = 0; r < INTERLEAVED; r++) {
        const span = new BenchSpan(c === 0 ? 'some_slow_stuff' : 'fast_stuff', roots[r], c);
        processor?.onStart(span, ROOT_CONTEXT);
        processor?.onEnd(span);
        sink += span.name.length;
      }
    }
    for (let r = 0; r < INTERLEAVED; r++) processor?.onEnd(roots[r]!);
    elapsed += process.hrtime.bigint() - t0;
    await turn();
  }
  return Number(elapsed) / (n * (children + 1));
}

/** The context a child of `parent` starts in: the parent as the active span, as the SDK has it. */
function contextOf(parent: BenchSpan) {
  return trace.setSpan(ROOT_CONTEXT, parent as unknown as Span);
}

/**
 * ns per request shaped like Express + pg: root → 2 middleware, a handler → pg-pool.connect,
 * 2 queries in parallel, 3 in a row (10 spans); the handler ends after the root, as Express's does.
 */
function nestedRequests(
  processor: RequestSummaryProcessor | undefined,
  n: number,
): Promise<number> {
  return perRequest(n, () => {
    const root = new BenchSpan('GET /orders');
    processor?.onStart(root, ROOT_CONTEXT);
    const rootCtx = contextOf(root);
    for (const name of ['middleware - query', 'middleware - jsonParser']) {
      const m = new BenchSpan(name, root, 0);
      processor?.onStart(m, rootCtx);
      processor?.onEnd(m.end(0.1));
    }
    const handler = new BenchSpan('request handler', root, 1);
    processor?.onStart(handler, rootCtx);
    const handlerCtx = contextOf(handler);
    const connect = new BenchSpan('pg-pool.connect', handler, 1, true);
    processor?.onStart(connect, handlerCtx);
    processor?.onEnd(connect.end(0.5));
    const a = new BenchSpan('pg.query:SELECT app', handler, 2, true);
    const b = new BenchSpan('pg.query:SELECT app', handler, 2, true);
    processor?.onStart(a, handlerCtx);
    processor?.onStart(b, handlerCtx);
    processor?.onEnd(b.end(1.5));
    processor?.onEnd(a.end(2.25));
    for (let q = 0; q < 3; q++) {
      const query = new BenchSpan('pg.query:SELECT app', handler, 5 + q, true);
      processor?.onStart(query, handlerCtx);
      processor?.onEnd(query.end(0.75));
    }
    processor?.onEnd(root.end(9));
    processor?.onEnd(handler.end(8.5));
    sink += handler.name.length;
  });
}

/**
 * ns per request shaped like the whole-service bench's (bench/service): root → jsonParser, a
 * handler → 1 + 13 `timeit` calls one after another (17 spans); the handler ends after the root.
 */
function serviceRequests(
  processor: RequestSummaryProcessor | undefined,
  n: number,
): Promise<number> {
  return perRequest(n, () => {
    const root = new BenchSpan('GET /api');
    processor?.onStart(root, ROOT_CONTEXT);
    const rootCtx = contextOf(root);
    const parser = new BenchSpan('middleware - jsonParser', root, 0);
    processor?.onStart(parser, rootCtx);
    processor?.onEnd(parser.end(0.1));
    const handler = new BenchSpan('request handler', root, 1);
    processor?.onStart(handler, rootCtx);
    const handlerCtx = contextOf(handler);
    for (let c = 0; c < CHILDREN + 1; c++) {
      const call = new BenchSpan(c === 0 ? 'some_slow_stuff' : 'fast_stuff', handler, 2 + c);
      processor?.onStart(call, handlerCtx);
      processor?.onEnd(call.end(0.9));
    }
    processor?.onEnd(root.end(17));
    processor?.onEnd(handler.end(16.9));
    sink += handler.name.length;
  });
}

// ---------- 2. with the SDK ----------

function syncRequest(tracer: Tracer): void {
  tracer.startActiveSpan('GET /api', SERVER, (root: Span) => {
    tracer.startActiveSpan('some_slow_stuff', (s: Span) => s.end());
    for (let c = 1; c < CHILDREN; c++) tracer.startActiveSpan('fast_stuff', (s: Span) => s.end());
    root.end();
  });
}
async function asyncRequest(tracer: Tracer): Promise<void> {
  await tracer.startActiveSpan('GET /api', SERVER, async (root: Span) => {
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
function bytesPerOpenRequest(n: number, selfTime: boolean): number {
  const requests: Array<{ root: BenchSpan; child: BenchSpan }> = [];
  for (let i = 0; i < n; i++) {
    const root = new BenchSpan('GET /api');
    requests.push({ root, child: new BenchSpan('fast_stuff', root) });
  }
  const processor = new RequestSummaryProcessor({
    exporter: noopSummaryExporter,
    maxOpenRequests: n,
    selfTime,
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
  tracer.startActiveSpan('first', SERVER, (root: Span) => root.end());
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
    t.startActiveSpan('GET /api', SERVER, (root: Span) => {
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
    tracer.startActiveSpan('GET /api', SERVER, (root: Span) => {
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

const OFF = 'selfTime: false';
const ON = 'selfTime: true (default)';
type Variant = typeof OFF | typeof ON;

async function main(): Promise<void> {
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  const providers = {
    'no processor': createTracerProvider({ spanProcessors: [] }),
    'BatchSpanProcessor + no-op exporter': createTracerProvider({
      spanProcessors: [createBatchSpanProcessor(noopSpanExporter)],
    }),
    [`RequestSummaryProcessor, ${OFF}`]: createTracerProvider({
      spanProcessors: [
        new RequestSummaryProcessor({ exporter: noopSummaryExporter, selfTime: false }),
      ],
    }),
    [`RequestSummaryProcessor, ${ON}`]: createTracerProvider({
      spanProcessors: [new RequestSummaryProcessor({ exporter: noopSummaryExporter })],
    }),
  };
  const tracers = Object.entries(providers).map(
    ([name, p]) => [name, p.getTracer('bench')] as const,
  );

  const samples = new Map<string, number[]>();
  const add = (key: string, v: number) => samples.set(key, [...(samples.get(key) ?? []), v]);
  const alone: Record<Variant, RequestSummaryProcessor> = {
    [OFF]: new RequestSummaryProcessor({ exporter: noopSummaryExporter, selfTime: false }),
    [ON]: new RequestSummaryProcessor({ exporter: noopSummaryExporter }),
  };
  const copyProvider = createTracerProvider({
    spanProcessors: [
      new RequestSummaryProcessor({
        exporter: noopSummaryExporter,
        copyAnnotationsToRootSpan: true,
      }),
    ],
  });
  const annotationTracer = providers[`RequestSummaryProcessor, ${ON}`].getTracer('a');
  const copyTracer = copyProvider.getTracer('copy');
  const annotating = [annotationTracer, targetOf(annotationTracer)] as const;
  const copying = [copyTracer, targetOf(copyTracer)] as const;
  // Warm-up round, not recorded.
  for (let round = -1; round < ROUNDS; round++) {
    const record = round >= 0 ? add : () => {};
    // Alternate which variant goes first, so that neither always runs on a warmer cache.
    const order: Variant[] = round % 2 === 0 ? [OFF, ON] : [ON, OFF];
    record('spans only, 1+13', await processorRequests(undefined, 2000, CHILDREN));
    for (const v of order) {
      record(`${v} | 1+13`, await processorRequests(alone[v], 2000, CHILDREN));
    }
    record('spans only, long', await processorRequests(undefined, 500, LONG));
    for (const v of order) record(`${v} | long`, await processorRequests(alone[v], 500, LONG));
    record('spans only, interleaved', await interleavedRequests(undefined, 1024, CHILDREN));
    for (const v of order) {
      record(`${v} | interleaved`, await interleavedRequests(alone[v], 1024, CHILDREN));
    }
    record('spans only, 1+2', await processorRequests(undefined, 2000, 2));
    for (const v of order) record(`${v} | 1+2`, await processorRequests(alone[v], 2000, 2));
    record('spans only, root', await processorRequests(undefined, 2000, 0));
    for (const v of order) record(`${v} | root`, await processorRequests(alone[v], 2000, 0));
    record('spans only, nested', await nestedRequests(undefined, 2000));
    for (const v of order) record(`${v} | nested`, await nestedRequests(alone[v], 2000));
    record('spans only, service', await serviceRequests(undefined, 2000));
    for (const v of order) record(`${v} | service`, await serviceRequests(alone[v], 2000));
    const offset = Math.max(round, 0);
    for (const [name, ns] of await sdkRound(tracers, 20, false, offset))
      record(`sync  | ${name}`, ns);
    for (const [name, ns] of await sdkRound(tracers, 10, true, offset))
      record(`async | ${name}`, ns);
    annotationRound(annotating, copying, record);
    await turn();
  }

  const med = new Map([...samples].map(([k, v]) => [k, median(v)]));
  console.log(`Node ${process.version}, ${ROUNDS} interleaved rounds\n`);
  /** A figure computed within each round (both variants and the spans alone measured there). */
  const perRound = (f: (at: (key: string) => number) => number): number[] =>
    Array.from({ length: ROUNDS }, (_, i) => f((key) => samples.get(key)![i]!));
  /** The same figure from each case's best round (a figure, not a spread: one value). */
  const fromBest = (f: (at: (key: string) => number) => number): number[] => [
    f((key) => Math.min(...samples.get(key)!)),
  ];
  // The median over rounds of each figure computed within its round (the figure to quote), and
  // the figure from each case's best round: on a loaded machine other jobs inflate some rounds.
  for (const [title, over] of [
    ['median of the rounds', perRound],
    ['from the best round of each case', fromBest],
  ] as const) {
    const of = median;
    console.log(
      `processor alone (SDK-shaped spans fed to onStart/onEnd, span creation subtracted within each round), self time off and on, ${title}:`,
    );
    const addedHeader = over === fromBest ? 'added' : 'added [middle half of the rounds]';
    console.log(`| case | ${OFF} | ${ON} | ${addedHeader} by self time |`);
    console.log('| --- | ---: | ---: | ---: |');
    const row = (
      label: string,
      f: (variant: Variant, at: (key: string) => number) => number,
      digits = 0,
    ) => {
      const off = of(over((at) => f(OFF, at)));
      const on = of(over((at) => f(ON, at)));
      const addedByRound = over((at) => f(ON, at) - f(OFF, at));
      const added = of(addedByRound);
      // How far the rounds spread: the middle half of them.
      const sorted = [...addedByRound].sort((a, b) => a - b);
      const q = (p: number) => sorted[Math.floor(p * (sorted.length - 1))]!.toFixed(digits);
      const spread = over === perRound ? ` [${q(0.25)}–${q(0.75)}]` : '';
      console.log(
        `| ${label} | ${off.toFixed(digits)} | ${on.toFixed(digits)} | ${added.toFixed(digits)}${spread} |`,
      );
    };
    /** ns the processor adds to a request of the given shape, span creation subtracted. */
    const cost = (variant: Variant, shape: string, at: (key: string) => number) =>
      at(`${variant} | ${shape}`) - at(`spans only, ${shape}`);
    // 1 + 101 and 1 + 2 have the same two operations: the difference is 99 spans of a known one.
    row(
      'ns per child span of an operation already seen (onStart + onEnd)',
      (v, at) => (cost(v, 'long', at) - cost(v, '1+2', at)) / (LONG - 2),
      1,
    );
    row('ns per request: root, summary, queue, export (no children)', (v, at) =>
      cost(v, 'root', at),
    );
    row('ns per request of 1 root + 2 children (two operations)', (v, at) => cost(v, '1+2', at));
    row('ns per request of 1 root + 13 children', (v, at) => cost(v, '1+13', at));
    row('the same, ns per span', (v, at) => cost(v, '1+13', at) / (CHILDREN + 1), 1);
    row(
      `the same with ${INTERLEAVED} requests open, their spans interleaved (cold), ns per span`,
      (v, at) => cost(v, 'interleaved', at),
      1,
    );
    row('ns per request shaped like Express + pg (10 spans, nested)', (v, at) =>
      cost(v, 'nested', at),
    );
    row('the same, ns per span', (v, at) => cost(v, 'nested', at) / 10, 1);
    row(
      'ns per request shaped like the service bench (Express + 14 timeit calls, 17 spans)',
      (v, at) => cost(v, 'service', at),
    );
    row('the same, ns per span', (v, at) => cost(v, 'service', at) / 17, 1);
    console.log(
      '(each column is taken over the rounds separately: "added" is the on − off of each round, not the difference of the columns beside it)\n',
    );
  }

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
  for (const mode of ['sync ', 'async']) {
    const base = med.get(`${mode} | no processor`)!;
    const ratio = (name: string) => (med.get(`${mode} | ${name}`)! / base).toFixed(3);
    console.log(
      `\n${mode.trim()}: / no processor: RequestSummaryProcessor ${OFF} ${ratio(`RequestSummaryProcessor, ${OFF}`)}, ${ON} ${ratio(`RequestSummaryProcessor, ${ON}`)}; BatchSpanProcessor ${ratio('BatchSpanProcessor + no-op exporter')}`,
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
    const bytes = (selfTime: boolean) =>
      median([1, 2, 3, 4, 5].map(() => bytesPerOpenRequest(10_000, selfTime))).toFixed(0);
    console.log(
      `\nmemory per open request with one operation (10 000 open, median of 5): ${OFF} ${bytes(false)} bytes, ${ON} ${bytes(true)} bytes`,
    );
  } else {
    console.log('\nmemory: skipped (run with --expose-gc)');
  }
  await Promise.all(Object.values(alone).map((p) => p.shutdown()));
  if (sink === 42) console.log('');
  await Promise.all([...Object.values(providers), copyProvider].map((p) => p.shutdown()));
  trace.disable();
  context.disable();
}

await main();
