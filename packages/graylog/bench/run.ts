/**
 * CPU per message and messages per second for our transports (UDP with each compression, TCP,
 * HTTP) against gelf-pro 1.4.0 for the same realistic summaries (3 operations, a few
 * attributes), side by side in one process, medians of interleaved rounds. The receiver is a
 * child process that only counts (bench/sink.mjs), so its CPU is not counted.
 *
 * Run: pnpm --filter @otel-gelf/graylog bench   (ROUNDS=7 N=5000 to change the sizes)
 */
import { createSocket } from 'node:dgram';
import gelfPro from 'gelf-pro';
import { toGelf, toGelfPayload } from '../src/to-gelf.js';
import { GelfProTransport } from '../src/transports/gelf-pro.js';
import { HttpTransport } from '../src/transports/http.js';
import { TcpTransport } from '../src/transports/tcp.js';
import { UdpTransport } from '../src/transports/udp.js';
import type { GelfCompression, GelfTransport } from '../src/types.js';
import { type Sink, startSink } from './sink-process.js';
import { summary } from './summaries.js';

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const N = Number(process.env.N ?? 5000);
const N_GELF_PRO = Math.max(100, Math.round(N / 5));
const BATCH = 256;
const HOST = 'bench-host';

type Kind = 'udp' | 'tcp' | 'http' | 'none';
interface Variant {
  name: string;
  kind: Kind;
  n: number;
  /** Sends message i; resolves when a batch may follow. */
  setup(): Promise<{ send(i: number): void; drain(): Promise<void>; close(): Promise<void> }>;
}

function ours(name: string, kind: Kind, make: () => GelfTransport): Variant {
  return {
    name,
    kind,
    n: N,
    async setup() {
      const t = make();
      const options = { host: HOST, maxBytes: t.maxPayloadBytes };
      return {
        send: (i) => {
          t.send(toGelfPayload(summary(i), options)!);
        },
        drain: () => t.flush(10_000),
        close: () => t.close(1000),
      };
    },
  };
}

/** A bare send of the same bytes on a connected dgram socket: the floor for any UDP sender. */
function rawUdp(port: () => number): Variant {
  return {
    name: 'baseline: raw dgram send (same bytes)',
    kind: 'udp',
    n: N,
    async setup() {
      const socket = createSocket('udp4');
      await new Promise<void>((resolve) => socket.connect(port(), '127.0.0.1', resolve));
      const bytes = toGelfPayload(summary(0), { host: HOST })!;
      let pending = 0;
      let wake: (() => void) | undefined;
      const done = () => {
        pending--;
        if (pending === 0) wake?.();
      };
      return {
        send: () => {
          pending++;
          socket.send(bytes, done);
        },
        drain: () =>
          pending === 0
            ? Promise.resolve()
            : new Promise<void>((r) => {
                wake = r;
              }),
        close: async () => {
          socket.close();
        },
      };
    },
  };
}

// gelf-pro as its users call it: fields without the leading `_`, its own formatter and adapter.
let gelfProPending = 0;
const gelfProWaiters: Array<() => void> = [];
function gelfProDone(): void {
  gelfProPending--;
  if (gelfProPending === 0) for (const w of gelfProWaiters.splice(0)) w();
}
function gelfProMessage(kind: 'udp' | 'tcp', port: () => number): Variant {
  return {
    name: `gelf-pro ${kind} (message())`,
    kind,
    n: N_GELF_PRO,
    async setup() {
      const pro = gelfPro as unknown as { adapter: unknown; config: Record<string, unknown> };
      pro.adapter = undefined;
      pro.config = {
        ...pro.config,
        adapterName: kind,
        adapterOptions: { host: '127.0.0.1', port: port(), protocol: 'udp4' },
      };
      return {
        send: (i) => {
          const m = toGelf(summary(i), { host: HOST })! as unknown as Record<string, unknown>;
          const extra: Record<string, unknown> = {};
          for (const key in m) {
            if (key.startsWith('_')) extra[key.slice(1)] = m[key];
            else if (key !== 'version' && key !== 'short_message' && key !== 'level')
              extra[key] = m[key];
          }
          gelfProPending++;
          gelfPro.message(m.short_message as string, m.level as number, extra, gelfProDone);
        },
        drain: () =>
          gelfProPending === 0
            ? Promise.resolve()
            : new Promise<void>((r) => gelfProWaiters.push(r)),
        close: async () => {},
      };
    },
  };
}

/** What the machine costs anyway: the mapping alone, a JSON.stringify, a bare datagram send. */
function baseline(
  name: string,
  make: (port: number) => Promise<(i: number) => void>,
  port: () => number,
  kind: Kind,
): Variant {
  return {
    name,
    kind,
    n: N,
    async setup() {
      const send = await make(port());
      let pending = 0;
      let wake: (() => void) | undefined;
      return {
        send: (i) => {
          pending++;
          send(i);
          pending--;
        },
        drain: () => (pending === 0 ? Promise.resolve() : new Promise<void>((r) => (wake = r))),
        close: async () => wake?.(),
      };
    },
  };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function measure(
  variant: Variant,
  sink: Sink,
): Promise<{ cpuUs: number; rate: number; lost: number }> {
  const session = await variant.setup();
  const kind = variant.kind;
  if (kind === 'none') {
    for (let i = 0; i < 1000; i++) session.send(i);
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < variant.n; i++) session.send(i);
    const cpu = process.cpuUsage(cpu0);
    return { cpuUs: (cpu.user + cpu.system) / variant.n, rate: Number.NaN, lost: 0 };
  }
  const before = (await sink.count())[kind];
  // warm-up, not counted
  for (let i = 0; i < 50; i++) session.send(i);
  await session.drain();
  const base = before + 50;
  await waitForCount(sink, kind, base, 2000);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < variant.n; i += BATCH) {
    const end = Math.min(variant.n, i + BATCH);
    for (let j = i; j < end; j++) session.send(j);
    await session.drain();
  }
  const cpu = process.cpuUsage(cpu0);
  const got = await waitForCount(sink, kind, base + variant.n, 3000);
  const seconds = (got.at - t0) / 1000;
  await session.close();
  const received = got.count - base;
  return {
    cpuUs: (cpu.user + cpu.system) / variant.n,
    rate: received / seconds,
    lost: variant.n - received,
  };
}

/** Polls the sink until it counted `target` (or stopped moving for `idleMs`). */
async function waitForCount(
  sink: Sink,
  kind: Exclude<Kind, 'none'>,
  target: number,
  idleMs: number,
) {
  let last = -1;
  let lastChange = performance.now();
  let at = performance.now();
  for (;;) {
    const count = (await sink.count())[kind];
    const now = performance.now();
    if (count !== last) {
      last = count;
      lastChange = now;
      at = now;
    }
    if (count >= target || now - lastChange > idleMs) return { count, at };
    await new Promise((r) => setTimeout(r, 2));
  }
}

async function main(): Promise<void> {
  const sink = await startSink();
  const p = sink.ports;
  const udp = (compression: GelfCompression) => () =>
    new UdpTransport({ host: '127.0.0.1', port: p.udp, compression, maxInFlight: 4096 });
  const message = toGelf(summary(0), { host: HOST })!;
  const variants: Variant[] = [
    baseline(
      'baseline: JSON.stringify(toGelf object)',
      async () => () => {
        JSON.stringify(message);
      },
      () => 0,
      'none',
    ),
    baseline(
      'ours: toGelfPayload only (no I/O)',
      async () => (i) => {
        toGelfPayload(summary(i), { host: HOST, maxBytes: 180_224 });
      },
      () => 0,
      'none',
    ),
    rawUdp(() => p.udp),
    ours('ours udp none', 'udp', udp('none')),
    ours('ours udp auto', 'udp', udp('auto')),
    ours('ours udp zlib', 'udp', udp('zlib')),
    ours('ours udp gzip', 'udp', udp('gzip')),
    ours('ours tcp', 'tcp', () => new TcpTransport({ host: '127.0.0.1', port: p.tcp })),
    ours(
      'ours http',
      'http',
      () =>
        new HttpTransport({
          protocol: 'http',
          host: '127.0.0.1',
          port: p.http,
          compression: 'none',
          maxInFlight: 4096,
        }),
    ),
    ours(
      'ours via gelf-pro transport (udp)',
      'udp',
      () =>
        new GelfProTransport({
          protocol: 'udp',
          host: '127.0.0.1',
          port: p.udp,
          maxInFlight: 4096,
        }),
    ),
    gelfProMessage('udp', () => p.udp),
    gelfProMessage('tcp', () => p.tcp),
  ];
  // GelfProTransport and the direct gelf-pro rows share gelf-pro's one configuration: the
  // transport row runs with N_GELF_PRO messages as well.
  for (const v of variants) if (v.name.includes('gelf-pro')) v.n = N_GELF_PRO;

  const size = toGelfPayload(summary(0), { host: HOST })!.length;
  console.log(
    `node ${process.version}, ${ROUNDS} rounds, N=${N} (gelf-pro rows N=${N_GELF_PRO}), payload ${size} bytes (one 1420-byte datagram: ${size <= 1420})`,
  );
  const results = new Map<string, { cpu: number[]; rate: number[]; lost: number }>();
  for (let round = 0; round < ROUNDS; round++) {
    // interleave: rotate the order every round
    for (let k = 0; k < variants.length; k++) {
      const v = variants[(k + round) % variants.length]!;
      const r = await measure(v, sink);
      const entry = results.get(v.name) ?? { cpu: [], rate: [], lost: 0 };
      entry.cpu.push(r.cpuUs);
      entry.rate.push(r.rate);
      entry.lost += r.lost;
      results.set(v.name, entry);
    }
  }
  sink.close();

  const reference = median(results.get('gelf-pro udp (message())')!.cpu);
  const rows = variants.map((v) => {
    const r = results.get(v.name)!;
    const cpu = median(r.cpu);
    return {
      variant: v.name,
      'CPU µs/msg': cpu.toFixed(2),
      'msgs/s': v.kind === 'none' ? '-' : Math.round(median(r.rate)).toLocaleString('en-US'),
      'vs gelf-pro udp (CPU)': `${(reference / cpu).toFixed(1)}× cheaper`,
      lost: r.lost,
    };
  });
  console.table(rows);
  // The budget's yardstick, measured in this run: what a JSON.stringify plus a bare send costs.
  const cpuOf = (name: string) => median(results.get(name)!.cpu);
  const floor =
    cpuOf('baseline: JSON.stringify(toGelf object)') +
    cpuOf('baseline: raw dgram send (same bytes)');
  for (const name of ['ours: toGelfPayload only (no I/O)', 'ours udp auto', 'ours udp none']) {
    console.log(
      `${name}: ${cpuOf(name).toFixed(2)} µs = ${(cpuOf(name) / floor).toFixed(2)}× (JSON.stringify + bare send = ${floor.toFixed(2)} µs)`,
    );
  }
  const udpAuto = cpuOf('ours udp auto');
  const tcpRate = median(results.get('ours tcp')!.rate);
  console.log(
    `budget ≤ 10 µs CPU per one-datagram UDP message: ${udpAuto <= 10 ? 'met' : 'not met'} here, ${udpAuto.toFixed(2)} µs (floor: bare send ${cpuOf('baseline: raw dgram send (same bytes)').toFixed(2)} µs + JSON.stringify ${cpuOf('baseline: JSON.stringify(toGelf object)').toFixed(2)} µs)`,
  );
  console.log(
    `budget ≥ 50 000 msgs/s over one TCP connection (counting sink): ${tcpRate >= 50_000 ? 'met' : 'not met'} here, ${Math.round(tcpRate).toLocaleString('en-US')}/s`,
  );
}

await main();
