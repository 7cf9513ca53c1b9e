/**
 * What recording every span costs under trace sampling: the README's recommended setup
 * (`createAlwaysRecordSampler` around a ratio sampler, so that every request is summarised)
 * beside what a team that samples runs today, side by side in one process with the real SDK
 * (compat/sdk2, or compat/sdk3 with SDK=3), medians of interleaved chunks.
 *
 * A request is shaped like bench/service's: a SERVER root with the attributes the http
 * instrumentation sets, `middleware - jsonParser`, `request handler`, and inside it
 * `some_slow_stuff` once and `fast_stuff` 13 times through `timeit` (17 spans), sync and async
 * (every span awaits once). The setups, every option at its default:
 *
 * 1. `ParentBased(TraceIdRatioBased(0.01))` + BatchSpanProcessor with a no-op exporter: 99 % of
 *    the spans are non-recording (what a sampling team runs without this project);
 * 2. the same sampler inside `createAlwaysRecordSampler`, the same BatchSpanProcessor: every span
 *    recorded, still 1 % exported (the cost of recording, with nothing else consuming the spans);
 * 3. (2) + RequestSummaryProcessor with a no-op summary exporter;
 * 4. (2) + GraylogSummaryProcessor to a local UDP sink (a child process that counts): the
 *    recommended setup, I/O included;
 * 5. the SDK's default sampler (`ParentBased(AlwaysOn)`) + the same BatchSpanProcessor: every
 *    trace sampled and exported, for reference.
 *
 * Each measured chunk is 100 requests of one setup followed by its `forceFlush()` and a turn of
 * the event loop, so that the batch exports of a setup (spans and summaries) are counted in its
 * own time, never in another's (the UDP sends included: the flush waits for the transport). A
 * cycle is a chunk of every setup, back to back, the order rotated from round to round, so that
 * load from elsewhere on a shared machine hits them alike. The figure is CPU (`process.cpuUsage()`,
 * every thread of the process: what a service pays), wall time beside it; a loaded machine
 * inflates every row, so read the ratios and differences, paired within a cycle, then medianed.
 *
 * Run: pnpm --filter @otel-gelf/graylog bench:sampling   (ROUNDS=… to change the rounds;
 * SDK=3 on Node >= 22.15 for SDK 3.x)
 */
import { loadavg } from 'node:os';
import { type Attributes, type Span, SpanKind, type Tracer } from '@opentelemetry/api';
import { RequestSummaryProcessor, type SummaryExporter } from '@otel-gelf/request-summary';
import { timeit } from '@otel-gelf/timeit';
import type * as Sdk2 from '../../../compat/sdk2/src/index.js';
import { GraylogSummaryProcessor } from '../src/index.js';
import { type Sink, startSink } from './sink-process.js';

/** What this bench uses of a compat wiring; compat/sdk2 and compat/sdk3 both have it. */
type Wiring = Pick<
  typeof Sdk2,
  'SDK_LINE' | 'createBatchSpanProcessor' | 'createRatioSampler' | 'setupTracing'
> & {
  createTracerProvider(
    options: Sdk2.ProviderOptions,
  ): Pick<ReturnType<typeof Sdk2.createTracerProvider>, 'getTracer' | 'forceFlush' | 'shutdown'>;
};

const ROUNDS = Number(process.env.ROUNDS ?? 15);
const SDK = process.env.SDK === '3' ? 3 : 2;
const RATIO = 0.01;
const CHUNK = 100;
const SYNC_CYCLES = 10;
const ASYNC_CYCLES = 5;
const SPANS = 17;
const ROOT_ATTRIBUTES: Attributes = {
  'http.request.method': 'GET',
  'url.scheme': 'http',
  'url.path': '/api',
  'server.address': 'localhost',
  'server.port': 8080,
  'network.protocol.version': '1.1',
  'client.address': '127.0.0.1',
  'user_agent.original': 'autocannon',
};

// A path in a variable, so that tsc (this package's api 1.9 types) leaves SDK 3's types alone.
const wiringPath = `../../../compat/sdk${SDK}/src/index.js`;
const sdk = (await import(wiringPath)) as Wiring;

let work = 0;

/** One request of each shape, on `tracer`: the root, the middleware, the handler, 14 timeit calls. */
function app(tracer: Tracer) {
  const some_slow_stuff = timeit({ tracer }, function some_slow_stuff() {
    work++;
  });
  const fast_stuff = timeit({ tracer }, function fast_stuff() {
    work++;
  });
  const some_slow_stuff_async = timeit({ tracer, name: 'some_slow_stuff' }, async () => {
    await null;
    work++;
  });
  const fast_stuff_async = timeit({ tracer, name: 'fast_stuff' }, async () => {
    await null;
    work++;
  });
  const rootOptions = { kind: SpanKind.SERVER, attributes: ROOT_ATTRIBUTES };
  return {
    sync(): void {
      tracer.startActiveSpan('GET /api', rootOptions, (root: Span) => {
        tracer.startActiveSpan('middleware - jsonParser', (m: Span) => m.end());
        tracer.startActiveSpan('request handler', (handler: Span) => {
          some_slow_stuff();
          for (let i = 0; i < 13; i++) fast_stuff();
          handler.end();
        });
        root.setAttribute('http.route', '/api');
        root.setAttribute('http.response.status_code', 200);
        root.end();
      });
    },
    async async(): Promise<void> {
      await tracer.startActiveSpan('GET /api', rootOptions, async (root: Span) => {
        await tracer.startActiveSpan('middleware - jsonParser', async (m: Span) => {
          await null;
          m.end();
        });
        await tracer.startActiveSpan('request handler', async (handler: Span) => {
          await some_slow_stuff_async();
          for (let i = 0; i < 13; i++) await fast_stuff_async();
          handler.end();
        });
        root.setAttribute('http.route', '/api');
        root.setAttribute('http.response.status_code', 200);
        root.end();
      });
    },
  };
}

/** Counts what reaches it, nothing more: the tracing backend of this bench. */
function countingSpanExporter() {
  const counts = { spans: 0, traces: new Set<string>() };
  const exporter: Sdk2.SpanExporter = {
    export: (spans, done) => {
      counts.spans += spans.length;
      for (const s of spans) counts.traces.add(s.spanContext().traceId);
      done({ code: 0 });
    },
    shutdown: () => Promise.resolve(),
  };
  return { exporter, counts };
}

const noopSummaryExporter: SummaryExporter = {
  export: (_summaries, done) => done({ code: 0 }),
  shutdown: () => Promise.resolve(),
};

interface Setup {
  label: string;
  provider: ReturnType<Wiring['createTracerProvider']>;
  spans: ReturnType<typeof countingSpanExporter>['counts'];
  requests: ReturnType<typeof app>;
  summaries?: RequestSummaryProcessor;
  /** Requests run through it, warm-up included. */
  ran: number;
}

function setup(
  label: string,
  sampler: Sdk2.ProviderOptions['sampler'],
  summaries?: RequestSummaryProcessor,
): Setup {
  const { exporter, counts } = countingSpanExporter();
  const provider = sdk.createTracerProvider({
    ...(sampler === undefined ? {} : { sampler }),
    resource: { 'service.name': 'bench' },
    spanProcessors: [
      sdk.createBatchSpanProcessor(exporter),
      ...(summaries === undefined ? [] : [summaries]),
    ],
  });
  return {
    label,
    provider,
    spans: counts,
    requests: app(provider.getTracer('bench')),
    ...(summaries === undefined ? {} : { summaries }),
    ran: 0,
  };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A chunk's cost per request, in ns: wall time, and CPU of every thread of the process. */
interface Cost {
  wall: number;
  cpu: number;
}

/** One chunk: the requests, then the setup's flush and a turn of the loop. */
async function chunk(s: Setup, async: boolean): Promise<Cost> {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  if (async) for (let i = 0; i < CHUNK; i++) await s.requests.async();
  else for (let i = 0; i < CHUNK; i++) s.requests.sync();
  await s.provider.forceFlush();
  await turn();
  const cpu = process.cpuUsage(c0);
  const wall = Number(process.hrtime.bigint() - t0);
  s.ran += CHUNK;
  return { wall: wall / CHUNK, cpu: ((cpu.user + cpu.system) * 1000) / CHUNK };
}

/**
 * One round: `cycles` cycles, each a chunk of every setup, one after the other, the order
 * rotated; returns each cycle's costs, setup by setup.
 */
async function round(
  setups: Setup[],
  async: boolean,
  cycles: number,
  offset: number,
): Promise<Cost[][]> {
  const out: Cost[][] = [];
  for (let c = 0; c < cycles; c++) {
    const costs: Cost[] = [];
    for (let k = 0; k < setups.length; k++) {
      const i = (k + c + offset) % setups.length;
      costs[i] = await chunk(setups[i]!, async);
    }
    out.push(costs);
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function main(): Promise<void> {
  // The context manager, registered through the api copy of the SDK line in use (a newer api
  // does not read an older one's globals); the global provider it also registers is not used.
  const tracing = sdk.setupTracing({ spanProcessors: [] });
  const sink = await startSink();
  const graylog = new GraylogSummaryProcessor({
    endpoint: `udp://127.0.0.1:${sink.ports.udp}`,
  });
  const ratio = () => sdk.createRatioSampler(RATIO, false);
  const alwaysRecord = () => sdk.createRatioSampler(RATIO, true);
  const setups = [
    setup('1. ParentBased(TraceIdRatioBased(0.01)) + BatchSpanProcessor', ratio()),
    setup('2. createAlwaysRecordSampler(1.) + BatchSpanProcessor', alwaysRecord()),
    setup(
      '3. (2) + RequestSummaryProcessor, no-op exporter',
      alwaysRecord(),
      new RequestSummaryProcessor({ exporter: noopSummaryExporter }),
    ),
    setup('4. (2) + GraylogSummaryProcessor, UDP to a local sink', alwaysRecord(), graylog),
    setup('5. ParentBased(AlwaysOn) (SDK default) + BatchSpanProcessor', undefined),
  ];

  const results = new Map<'sync' | 'async', Cost[][]>([
    ['sync', []],
    ['async', []],
  ]);
  // Round -1 warms up and is not recorded.
  for (let r = -1; r < ROUNDS; r++) {
    const offset = Math.max(r, 0);
    const sync = await round(setups, false, SYNC_CYCLES, offset);
    const async = await round(setups, true, ASYNC_CYCLES, offset);
    if (r >= 0) {
      results.get('sync')!.push(...sync);
      results.get('async')!.push(...async);
    }
  }

  console.log(
    `Node ${process.version}, OpenTelemetry SDK ${sdk.SDK_LINE}.x, ${ROUNDS} rounds, ` +
      `${SPANS} spans per request, ${SYNC_CYCLES * CHUNK} sync + ${ASYNC_CYCLES * CHUNK} async requests per setup and round, ` +
      `load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}\n`,
  );
  console.log(
    `CPU: process.cpuUsage() (every thread) over a chunk of ${CHUNK} requests, its flush and a turn; medians over the ${ROUNDS} × ${SYNC_CYCLES} sync and ${ROUNDS} × ${ASYNC_CYCLES} async cycles (a chunk of each setup, back to back); × and + paired within a cycle against (1)`,
  );
  console.log(
    '| setup | mode | CPU µs per request | CPU ns per span | × (1) | + CPU µs per request vs (1) | wall µs per request | wall × (1) |',
  );
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  const added = new Map<string, number>();
  for (const [mode, cycles] of results) {
    setups.forEach((s, i) => {
      const of = (pick: (cycle: Cost[]) => number) => median(cycles.map(pick));
      const cpu = of((cycle) => cycle[i]!.cpu);
      const plus = of((cycle) => cycle[i]!.cpu - cycle[0]!.cpu);
      added.set(`${mode} ${i}`, plus);
      const cells = [
        s.label,
        mode,
        (cpu / 1000).toFixed(1),
        (cpu / SPANS).toFixed(0),
        of((cycle) => cycle[i]!.cpu / cycle[0]!.cpu).toFixed(3),
        i === 0 ? '' : (plus / 1000).toFixed(1),
        (of((cycle) => cycle[i]!.wall) / 1000).toFixed(1),
        of((cycle) => cycle[i]!.wall / cycle[0]!.wall).toFixed(3),
      ];
      console.log(`| ${cells.join(' | ')} |`);
    });
  }
  for (const mode of ['sync', 'async']) {
    const recording = added.get(`${mode} 1`)!;
    const withSummary = added.get(`${mode} 2`)!;
    const recommended = added.get(`${mode} 3`)!;
    console.log(
      `\n${mode} (medians of paired differences, so the parts need not add up exactly): the recommended setup (4) adds ${(recommended / 1000).toFixed(1)} µs CPU per request to 1 % sampling alone: ` +
        `recording every span (2) ${(recording / 1000).toFixed(1)} µs (${((100 * recording) / recommended).toFixed(0)} %), ` +
        `summarising (3 − 2) ${((withSummary - recording) / 1000).toFixed(1)} µs, GELF mapping and UDP (4 − 3) ${((recommended - withSummary) / 1000).toFixed(1)} µs`,
    );
  }

  await Promise.all(setups.map((s) => s.provider.forceFlush()));
  // What reached the tracing backend and Graylog: sampling must be what the setup says.
  console.log('\n| setup | requests | traces exported | spans exported | summaries |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  const received = await waitForUdp(sink, setups[3]!.ran);
  setups.forEach((s, i) => {
    const summaries =
      s.summaries === undefined
        ? '-'
        : i === 3
          ? `${s.summaries.stats().exported} exported, ${received} at the sink`
          : `${s.summaries.stats().exported} exported`;
    console.log(
      `| ${s.label.slice(0, 2)} | ${s.ran} | ${s.spans.traces.size} (${((100 * s.spans.traces.size) / s.ran).toFixed(2)} %) | ${s.spans.spans} | ${summaries} |`,
    );
  });
  sink.close();
  await Promise.all(setups.map((s) => s.provider.shutdown()));
  await tracing.shutdown();
  if (work === 42) console.log('');
}

/** Waits until the sink counted `target` messages, or stopped moving for 2 s. */
async function waitForUdp(sink: Sink, target: number): Promise<number> {
  let last = -1;
  let since = performance.now();
  for (;;) {
    const count = (await sink.count()).udp;
    if (count !== last) {
      last = count;
      since = performance.now();
    }
    if (count >= target || performance.now() - since > 2000) return count;
    await new Promise((r) => setTimeout(r, 10));
  }
}

await main();
