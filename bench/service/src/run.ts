/*
 * The whole-service benchmark (pnpm bench:service): the Flask route on Express 5, one child
 * process per tracing setup (configs.ts), all pinned to one core; autocannon and the sinks on
 * another. Each round drives every setup at once (paired: the same moment, the same noise from
 * the rest of the machine), or with --alternate one after another (the order rotates from round
 * to round), and reads, for each window, the CPU the service process used (its own `process.cpuUsage()`, with
 * the kernel's /proc/<pid>/stat beside it), the requests it answered, the latency autocannon saw,
 * the event-loop delay, RSS, and the bytes and messages its sink received. Ratios are taken
 * within a round, then summarised as median [min–max] over the rounds.
 *
 *   pnpm bench:service              5 rounds × 10 s, all setups at once, 200 requests/s each
 *   pnpm bench:service --alternate  one setup after another, 1000 requests/s
 *   pnpm bench:service --rounds 3 --duration 5 --rate 0       (rate 0: as fast as it answers)
 *   pnpm bench:service --short --json out.json                the smoke test's run
 */
import { type ChildProcess, execFileSync, fork, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { buildService } from './build.js';
import {
  CONFIGS,
  configOf,
  DEFAULT_CONFIGS,
  isBaseline,
  isSetupName,
  type SetupName,
  setupInfo,
} from './configs.js';
import { Ipc } from './ipc.js';
import type {
  ServiceCommand,
  ServiceReport,
  SinkCommand,
  SinkCounts,
  SinkReport,
  WindowStats,
} from './protocol.js';
import { type Spread, showSpread, spread } from './stats.js';

const benchDir = resolve(__dirname, '..');
const callerDir = process.env.INIT_CWD ?? process.cwd();

/** The benchmark's settings, from the command line. */
export interface Settings {
  rounds: number;
  durationS: number;
  warmupS: number;
  /** All setups loaded at once in each round (paired), rather than one after another. */
  together: boolean;
  /**
   * Requests per second to each setup over all its connections; 0 = each connection sends as soon
   * as it is answered.
   */
  rate: number;
  connections: number;
  slowMs: number;
  configs: SetupName[];
  /** The git revision the `@base` setups run the packages of. */
  baseline: string | undefined;
  json: string | undefined;
  cpuProfDir: string | undefined;
  /** Time each onStart/onEnd call of the processors inside the services (see call-timer.ts). */
  timeCalls: boolean;
}

function readSettings(argv: string[]): Settings {
  const { values } = parseArgs({
    args: argv,
    options: {
      short: { type: 'boolean', default: false },
      alternate: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      rate: { type: 'string' },
      connections: { type: 'string' },
      'slow-ms': { type: 'string' },
      configs: { type: 'string' },
      baseline: { type: 'string' },
      json: { type: 'string' },
      'cpu-prof': { type: 'string' },
      'time-calls': { type: 'boolean' },
    },
  });
  const short = values.short;
  const together = !values.alternate;
  const num = (v: string | undefined, fallback: number, name: string): number => {
    const n = v === undefined ? fallback : Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name}: expected a number ≥ 0, got ${v}`);
    return n;
  };
  const configs = (values.configs ?? DEFAULT_CONFIGS.join(',')).split(',');
  const baseline = values.baseline;
  const unknown = configs.filter((c) => !isSetupName(c, baseline !== undefined));
  if (unknown.length > 0) {
    throw new Error(
      `--configs: unknown ${unknown.join(', ')} (known: ${CONFIGS.join(', ')}; with --baseline, also each of them with @base)`,
    );
  }
  if (baseline !== undefined && !configs.some((c) => c.endsWith('@base'))) {
    throw new Error('--baseline: name the setups to run from it in --configs, e.g. summary@base');
  }
  return {
    rounds: Math.max(1, Math.round(num(values.rounds, short ? 1 : 5, 'rounds'))),
    durationS: num(values.duration, short ? 1 : 10, 'duration'),
    warmupS: num(values.warmup, short ? 0.5 : 3, 'warmup'),
    together,
    // Together, seven services share one core.
    rate: num(values.rate, short ? 100 : together ? 200 : 1000, 'rate'),
    connections: Math.max(1, Math.round(num(values.connections, short ? 8 : 64, 'connections'))),
    slowMs: num(values['slow-ms'], 5, 'slow-ms'),
    configs: configs as SetupName[],
    baseline,
    // Paths are the caller's: pnpm runs the script in this folder, and says where it was called.
    json: values.json === undefined ? undefined : resolve(callerDir, values.json),
    cpuProfDir:
      values['cpu-prof'] === undefined ? undefined : resolve(callerDir, values['cpu-prof']),
    timeCalls: values['time-calls'] === true,
  };
}

/** Which cores this process may use, from `taskset`; undefined where it cannot tell. */
function allowedCores(): number[] | undefined {
  try {
    const out = execFileSync('taskset', ['-p', '-c', String(process.pid)], { encoding: 'utf8' });
    const list = out.slice(out.lastIndexOf(':') + 1).trim();
    const cores: number[] = [];
    for (const part of list.split(',')) {
      const [from, to = from] = part.split('-').map(Number);
      for (let c = from!; c <= to!; c++) cores.push(c);
    }
    return cores;
  } catch {
    return undefined;
  }
}

/** Where things run: the services on one core, the driver (autocannon) and the sinks on another. */
interface Placement {
  serviceCore: number | undefined;
  loadCore: number | undefined;
  note: string;
}

function place(): Placement {
  const cores = allowedCores();
  if (cores === undefined) {
    return { serviceCore: undefined, loadCore: undefined, note: 'not pinned (no taskset)' };
  }
  if (cores.length < 2) {
    return { serviceCore: undefined, loadCore: undefined, note: `not pinned (one core: ${cores})` };
  }
  const [serviceCore, loadCore] = cores as [number, number];
  // -a: every thread of this process; children (the sink) inherit the affinity.
  execFileSync('taskset', ['-a', '-p', '-c', String(loadCore), String(process.pid)], {
    stdio: 'ignore',
  });
  return {
    serviceCore,
    loadCore,
    note: `services pinned to core ${serviceCore}; autocannon and sinks on core ${loadCore}`,
  };
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of a process from the kernel's accounting, in µs; NaN where unreadable. */
function kernelCpuUs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

interface Service {
  config: SetupName;
  ipc: Ipc<ServiceCommand, ServiceReport>;
  url: string;
}

async function startService(
  bundle: string,
  config: SetupName,
  sinkPort: number,
  settings: Settings,
  placement: Placement,
): Promise<Service> {
  const nodeArgs = [
    ...(settings.cpuProfDir === undefined
      ? []
      : [
          '--cpu-prof',
          '--cpu-prof-interval=250',
          // A folder per setup: the main thread and the loader's worker thread write one each.
          `--cpu-prof-dir=${join(settings.cpuProfDir, config)}`,
        ]),
    bundle,
  ];
  const env: NodeJS.ProcessEnv = {};
  // Every setup at its defaults: no OTEL_* from the caller's environment.
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('OTEL_')) env[k] = v;
  Object.assign(env, {
    BENCH_CONFIG: configOf(config),
    BENCH_SINK_PORT: String(sinkPort),
    BENCH_SLOW_MS: String(settings.slowMs),
    BENCH_TIME_CALLS: settings.timeCalls ? '1' : '0',
  });
  const child: ChildProcess =
    placement.serviceCore === undefined
      ? spawn(process.execPath, nodeArgs, {
          cwd: benchDir,
          env,
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        })
      : spawn('taskset', ['-c', String(placement.serviceCore), process.execPath, ...nodeArgs], {
          cwd: benchDir,
          env,
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        });
  const ipc = new Ipc<ServiceCommand, ServiceReport>(child, `the ${config} service`);
  const { port } = await ipc.next('ready');
  return { config, ipc, url: `http://127.0.0.1:${port}/api` };
}

/**
 * At a rate, a fixed number of requests (autocannon then waits for every answer); closed loop, a
 * duration (the requests in flight at its end are cut, and still counted by the service).
 */
function load(url: string, settings: Settings, durationS: number): Promise<autocannon.Result> {
  const { connections, rate } = settings;
  return rate > 0
    ? autocannon({ url, connections, overallRate: rate, amount: Math.round(rate * durationS) })
    : autocannon({ url, connections, duration: durationS });
}

/** The sink's counts once they stop changing (the last datagrams may still be on their way). */
async function settledCounts(
  sink: Ipc<SinkCommand, SinkReport>,
): Promise<Record<string, SinkCounts>> {
  let last = '';
  for (let i = 0; i < 60; i++) {
    const { counts } = await sink.ask({ type: 'count' }, 'counts');
    const now = JSON.stringify(counts);
    if (now === last) return counts;
    last = now;
    await new Promise((r) => setTimeout(r, 100));
  }
  return JSON.parse(last);
}

/** One setup driven for one window. */
export interface Run extends WindowStats {
  round: number;
  config: SetupName;
  cpuUsPerRequest: number;
  /** Of it, system time: syscalls (sends, and on loopback the receiving side's kernel work). */
  systemCpuUsPerRequest: number;
  kernelCpuUsPerRequest: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  loadErrors: number;
  non2xx: number;
  sink: SinkCounts | undefined;
  bytesPerRequest: number | undefined;
}

/** Drives `group` (one setup, or all at once) for one window and reads what each measured. */
async function measure(
  group: Service[],
  round: number,
  sink: Ipc<SinkCommand, SinkReport>,
  settings: Settings,
): Promise<Run[]> {
  // Each service exports what ended before the window (spans of the last requests can end after
  // their answer) before it begins; the sink forgets it once it has all arrived.
  await Promise.all(group.map((s) => s.ipc.ask({ type: 'begin' }, 'begun')));
  await settledCounts(sink);
  await sink.ask({ type: 'reset' }, 'counts');
  const kernelAtBegin = group.map((s) => kernelCpuUs(s.ipc.child.pid!));
  const started = performance.now();
  const results = await Promise.all(group.map((s) => load(s.url, settings, settings.durationS)));
  const elapsedS = (performance.now() - started) / 1000;
  const stats = await Promise.all(group.map((s) => s.ipc.ask({ type: 'end' }, 'ended')));
  const kernelUs = group.map((s, i) => kernelCpuUs(s.ipc.child.pid!) - kernelAtBegin[i]!);
  const counts = await settledCounts(sink);
  return group.map((service, i) => {
    const { type: _, ...window } = stats[i]!;
    const result = results[i]!;
    const got =
      setupInfo(configOf(service.config)).sink === undefined ? undefined : counts[service.config];
    return {
      round,
      config: service.config,
      ...window,
      cpuUsPerRequest: window.cpuUs / window.requests,
      systemCpuUsPerRequest: window.systemCpuUs / window.requests,
      kernelCpuUsPerRequest: kernelUs[i]! / window.requests,
      requestsPerSecond: window.requests / elapsedS,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      loadErrors: result.errors + result.timeouts,
      non2xx: result.non2xx,
      sink: got,
      bytesPerRequest: got === undefined ? undefined : got.bytes / window.requests,
    };
  });
}

/** Per setup, each figure as median [min–max] over the rounds, and the ratios within rounds. */
export interface Summary {
  config: SetupName;
  description: string;
  cpuUsPerRequest: Spread;
  systemCpuUsPerRequest: Spread;
  kernelCpuUsPerRequest: Spread;
  /** CPU per request over `otel`'s in the same round. */
  cpuVsOtel: Spread | undefined;
  /** CPU per request over `otlp`'s in the same round. */
  cpuVsOtlp: Spread | undefined;
  /** p99 latency over `otel`'s in the same round. */
  p99VsOtel: Spread | undefined;
  requestsPerSecond: Spread;
  p99Ms: Spread;
  eventLoopDelayP99Ms: Spread;
  eventLoopDelayMaxMs: Spread;
  rssMB: Spread;
  bytesPerRequest: Spread | undefined;
  /** Sink items per request: summaries (1 expected) or spans. */
  deliveredPerRequest: Spread | undefined;
  /** With `--time-calls`, for setups with a processor: ns per call, µs per request inside it. */
  calls?: {
    onStartP50Ns: Spread;
    onStartMeanNs: Spread;
    onEndP50Ns: Spread;
    onEndP90Ns: Spread;
    onEndMeanNs: Spread;
    perRequestUs: Spread;
  };
}

function summarise(runs: Run[], configs: SetupName[], baseline: string | undefined): Summary[] {
  const byRound = (config: SetupName) => runs.filter((r) => r.config === config);
  const ratio = (
    config: SetupName,
    base: SetupName,
    figure: (r: Run) => number = (r) => r.cpuUsPerRequest,
  ): Spread | undefined => {
    if (config === base || !configs.includes(base)) return undefined;
    const values: number[] = [];
    for (const run of byRound(config)) {
      const other = runs.find((r) => r.config === base && r.round === run.round);
      if (other !== undefined) values.push(figure(run) / figure(other));
    }
    return spread(values);
  };
  return configs.map((config) => {
    const mine = byRound(config);
    const of = (f: (r: Run) => number) => spread(mine.map(f));
    const { description, sink, unit } = setupInfo(configOf(config));
    const timed = mine.filter((r) => r.calls !== undefined);
    const call = (f: (c: NonNullable<Run['calls']>, r: Run) => number) =>
      spread(timed.map((r) => f(r.calls!, r)));
    return {
      ...(timed.length === 0
        ? {}
        : {
            calls: {
              onStartP50Ns: call((c) => c.onStart.p50Ns),
              onStartMeanNs: call((c) => c.onStart.meanNs),
              onEndP50Ns: call((c) => c.onEnd.p50Ns),
              onEndP90Ns: call((c) => c.onEnd.p90Ns),
              onEndMeanNs: call((c) => c.onEnd.meanNs),
              perRequestUs: call((c, r) => (c.onStart.totalUs + c.onEnd.totalUs) / r.requests),
            },
          }),
      config,
      description: `${description}${isBaseline(config) ? ` (the packages at ${baseline})` : ''}`,
      cpuUsPerRequest: of((r) => r.cpuUsPerRequest),
      systemCpuUsPerRequest: of((r) => r.systemCpuUsPerRequest),
      kernelCpuUsPerRequest: of((r) => r.kernelCpuUsPerRequest),
      cpuVsOtel: ratio(config, 'otel'),
      cpuVsOtlp:
        sink?.startsWith('gelf-') && unit === 'request' ? ratio(config, 'otlp') : undefined,
      p99VsOtel: ratio(config, 'otel', (r) => r.p99Ms),
      requestsPerSecond: of((r) => r.requestsPerSecond),
      p99Ms: of((r) => r.p99Ms),
      eventLoopDelayP99Ms: of((r) => r.eventLoopDelayP99Ms),
      eventLoopDelayMaxMs: of((r) => r.eventLoopDelayMaxMs),
      rssMB: of((r) => r.rssBytes / 2 ** 20),
      bytesPerRequest: unit === undefined ? undefined : of((r) => r.bytesPerRequest!),
      deliveredPerRequest:
        unit === undefined
          ? undefined
          : of(
              (r) => (configOf(config) === 'otlp' ? r.sink!.spans : r.sink!.messages) / r.requests,
            ),
    };
  });
}

/** Rows under a header, each column as wide as its widest cell. */
function columns(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** The table: CPU and its ratio with their spread over rounds, the rest as medians. */
function table(summaries: Summary[]): string {
  const header = [
    'setup',
    'CPU µs/req',
    'of it sys',
    '× otel',
    'req/s',
    'p99 ms',
    'loop delay p99/max',
    'RSS MB',
    'B/req at sink',
    'at sink/req',
  ];
  const m = (s: Spread | undefined, digits: number) =>
    s === undefined ? '–' : s.median.toFixed(digits);
  const rows = summaries.map((s) => [
    s.config,
    showSpread(s.cpuUsPerRequest, 1),
    m(s.systemCpuUsPerRequest, 1),
    s.cpuVsOtel === undefined ? '1' : showSpread(s.cpuVsOtel, 3),
    m(s.requestsPerSecond, 0),
    m(s.p99Ms, 0),
    `${m(s.eventLoopDelayP99Ms, 1)} / ${m(s.eventLoopDelayMaxMs, 1)} ms`,
    m(s.rssMB, 0),
    m(s.bytesPerRequest, 0),
    m(s.deliveredPerRequest, 2),
  ]);
  return columns(header, rows);
}

/** `--time-calls`: the processors' calls inside each service, medians over rounds. */
function callTable(summaries: Summary[]): string {
  const header = [
    'setup',
    'onStart p50 ns',
    'onStart mean',
    'onEnd p50 ns',
    'onEnd p90',
    'onEnd mean',
    'in the processor, µs/req',
  ];
  const rows = summaries
    .filter((s) => s.calls !== undefined)
    .map((s) => {
      const c = s.calls!;
      return [
        s.config,
        c.onStartP50Ns.median.toFixed(0),
        c.onStartMeanNs.median.toFixed(0),
        c.onEndP50Ns.median.toFixed(0),
        c.onEndP90Ns.median.toFixed(0),
        c.onEndMeanNs.median.toFixed(0),
        showSpread(c.perRequestUs, 1),
      ];
    });
  return columns(header, rows);
}

function goals(summaries: Summary[]): string[] {
  const get = (c: SetupName) => summaries.find((s) => s.config === c);
  const udp = get('udp');
  const otlp = get('otlp');
  const lines: string[] = [];
  if (udp?.cpuVsOtel !== undefined) {
    lines.push(`udp CPU/request vs otel: ${showSpread(udp.cpuVsOtel, 3)}× (goal ≤ 1.03×)`);
  }
  if (udp?.cpuVsOtlp !== undefined) {
    lines.push(`udp CPU/request vs otlp: ${showSpread(udp.cpuVsOtlp, 3)}× (goal ≤ 0.7×)`);
  }
  for (const ours of [udp, get('udp-zlib')]) {
    if (ours?.bytesPerRequest === undefined || otlp?.bytesPerRequest === undefined) continue;
    const times = otlp.bytesPerRequest.median / ours.bytesPerRequest.median;
    lines.push(
      `bytes/request: otlp ${otlp.bytesPerRequest.median.toFixed(0)} B, ${ours.config} ${ours.bytesPerRequest.median.toFixed(0)} B: ${times.toFixed(2)}× fewer (goal ≥ 5×)`,
    );
  }
  if (udp?.p99VsOtel !== undefined) {
    lines.push(`udp p99 vs otel: ${showSpread(udp.p99VsOtel, 2)}× (goal ≤ 1.1×)`);
  }
  return lines;
}

function sdkVersion(): string {
  try {
    const manifest = join(benchDir, 'node_modules/@opentelemetry/sdk-trace/package.json');
    return JSON.parse(readFileSync(manifest, 'utf8')).version;
  } catch {
    return '?';
  }
}

async function main(): Promise<void> {
  const settings = readSettings(process.argv.slice(2));
  const cores = availableParallelism();
  const placement = place();
  const conditions = {
    node: process.version,
    sdkTrace: sdkVersion(),
    cpu: cpus()[0]?.model ?? '?',
    cores,
    placement: placement.note,
    rounds: settings.rounds,
    durationS: settings.durationS,
    warmupS: settings.warmupS,
    together: settings.together,
    rate: settings.rate,
    connections: settings.connections,
    slowMs: settings.slowMs,
    date: new Date().toISOString(),
  };
  console.log(
    `whole-service bench: Node ${conditions.node}, @opentelemetry/sdk-trace ${conditions.sdkTrace}, ${conditions.cores} cores (${conditions.cpu}); ${placement.note}`,
  );
  console.log(
    `${settings.rounds} round(s) × ${settings.durationS} s per setup after a ${settings.warmupS} s warm-up; ${settings.rate > 0 ? `${settings.rate} requests/s` : 'closed loop'} over ${settings.connections} connections per setup; GET /api = 1 some_slow_stuff (${settings.slowMs} ms) + 13 fast_stuff (1 ms); ${settings.together ? 'all setups loaded at once (paired) on the same core' : 'setups one after another on the same core, order rotated each round'}`,
  );

  const bundle = await buildService(benchDir);
  console.log(
    `services: node ${relative(benchDir, bundle)} (compiled with esbuild as the packages' dist is; see src/build.ts)`,
  );
  const baseBundle =
    settings.baseline === undefined ? undefined : await buildService(benchDir, settings.baseline);
  if (baseBundle !== undefined) {
    console.log(
      `@base setups: node ${relative(benchDir, baseBundle)} (the otel-gelf packages at ${settings.baseline})`,
    );
  }
  const sink = new Ipc<SinkCommand, SinkReport>(fork(join(__dirname, 'sink.ts')), 'the sink');
  const services: Service[] = [];
  try {
    const ports: Partial<Record<SetupName, number>> = {};
    for (const config of settings.configs) {
      const kind = setupInfo(configOf(config)).sink;
      if (kind === undefined) continue;
      const listening = await sink.ask({ type: 'listen', name: config, kind }, 'listening');
      ports[config] = listening.port;
    }
    services.push(
      ...(await Promise.all(
        settings.configs.map((c) =>
          startService(isBaseline(c) ? baseBundle! : bundle, c, ports[c] ?? 0, settings, placement),
        ),
      )),
    );
    // Warm-up (the JIT, the sockets, the pools), all at once; not measured.
    await Promise.all(
      services.map(async (service) => {
        await service.ipc.ask({ type: 'begin' }, 'begun');
        if (settings.warmupS > 0) await load(service.url, settings, settings.warmupS);
        await service.ipc.ask({ type: 'end' }, 'ended');
      }),
    );
    const runs: Run[] = [];
    for (let round = 0; round < settings.rounds; round++) {
      const groups = settings.together
        ? [services]
        : services.map((_, i) => [services[(i + round) % services.length]!]);
      for (const group of groups) {
        for (const run of await measure(group, round, sink, settings)) {
          runs.push(run);
          console.log(
            `  round ${round + 1} ${run.config.padEnd(9)} ${run.requests} requests, ${run.cpuUsPerRequest.toFixed(1)} µs CPU/request (kernel ${run.kernelCpuUsPerRequest.toFixed(0)}), p99 ${run.p99Ms} ms${run.bytesPerRequest === undefined ? '' : `, ${run.bytesPerRequest.toFixed(0)} B/request`}${run.loadErrors + run.non2xx > 0 ? `, ${run.loadErrors} errors, ${run.non2xx} non-2xx` : ''}`,
          );
        }
      }
    }
    const summaries = summarise(runs, settings.configs, settings.baseline);
    console.log('');
    console.log(table(summaries));
    console.log('');
    for (const s of summaries) console.log(`  ${s.config.padEnd(9)} ${s.description}`);
    console.log('');
    for (const line of goals(summaries)) console.log(line);
    if (settings.timeCalls) {
      console.log('');
      console.log(
        '--time-calls: each onStart/onEnd of the processors timed inside the service (wall time, the clock read pair subtracted; the means include calls a GC or the scheduler interrupted; the timing itself adds ~0.1 µs per call to the CPU columns above)',
      );
      console.log(callTable(summaries));
    }
    console.log(
      '(CPU and × otel: median [min–max] over rounds, ratios taken within a round; the other columns: medians; CPU = the service process, all threads, process.cpuUsage())',
    );
    if (settings.json !== undefined) {
      writeFileSync(settings.json, `${JSON.stringify({ conditions, runs, summaries }, null, 2)}\n`);
    }
  } finally {
    for (const service of services) service.ipc.send({ type: 'exit' });
    await Promise.all(
      services.map(
        (s) =>
          new Promise<void>((r) => {
            if (s.ipc.child.exitCode !== null) r();
            else s.ipc.child.once('exit', () => r());
          }),
      ),
    );
    sink.send({ type: 'exit' });
  }
}

main().catch((error: unknown) => {
  console.error(`bench:service: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
