/**
 * What gelf-tail costs per message, without and with I/O.
 *
 * CPU, µs per message of a ~1.5 KB request summary (medians of interleaved rounds, side by side):
 * the baseline `JSON.parse` alone, then TcpFramer + JSON.parse, then + validateGelf, then the
 * UDP path (chunk reassembly of 2 chunks + zlib inflate + parse + validate).
 * Throughput over loopback: messages/s through a live receiver on one TCP connection.
 *
 * Run: pnpm --filter @otel-gelf/gelf-tail bench
 */
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { deflateSync } from 'node:zlib';
import {
  ChunkReassembler,
  createGelfReceiver,
  decompressPayload,
  TcpFramer,
  validateGelf,
} from '../src/index.js';

const ROUNDS = Number(process.env.ROUNDS ?? 15);
const PER_ROUND = 2000;

const ops: Record<string, unknown> = {};
for (const name of ['load_cart', 'price_items', 'db.query', 'render', 'fast_stuff']) {
  ops[name] = {
    num_calls: 13,
    min: 0.012,
    max: 1.5,
    mean: 0.3,
    values: [0.2, 0.3, 0.25, 0.4, 0.31],
  };
}
const message: Record<string, unknown> = {
  version: '1.1',
  host: 'web-1',
  short_message: 'GET /api/orders 200 512.3 ms',
  full_message: JSON.stringify(ops),
  timestamp: 1_700_000_000.123,
  level: 6,
  _trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
  _span_id: '00f067aa0ba902b7',
  _service_name: 'checkout',
};
for (const name of Object.keys(ops)) {
  for (const stat of ['count', 'min_ms', 'max_ms', 'sum_ms', 'mean_ms', 'errors']) {
    message[`_op_${name}_${stat}`] = 1.234;
  }
  message[`_op_${name}_last_ms`] = '0.2,0.3,0.25,0.4,0.31';
}
const json = Buffer.from(JSON.stringify(message));
const frame = Buffer.concat([json, Buffer.from([0])]);
const zlibbed = deflateSync(json);
const half = Math.ceil(zlibbed.length / 2);
const id = randomBytes(8);
const chunks = [0, 1].map((seq) =>
  Buffer.concat([
    Buffer.from([0x1e, 0x0f]),
    id,
    Buffer.from([seq, 2]),
    zlibbed.subarray(seq * half, (seq + 1) * half),
  ]),
);

let sink = 0;
const cases: Record<string, () => void> = {
  'JSON.parse (baseline)': () => {
    sink += Object.keys(JSON.parse(json.toString('utf8'))).length;
  },
  'TcpFramer + JSON.parse': () => {
    const framer = new TcpFramer();
    for (const f of framer.push(frame)) sink += Object.keys(JSON.parse(f.toString('utf8'))).length;
  },
  'TcpFramer + parse + validateGelf': () => {
    const framer = new TcpFramer();
    for (const f of framer.push(frame)) sink += validateGelf(JSON.parse(f.toString('utf8'))).length;
  },
  'UDP 2 chunks + zlib + parse + validate': () => {
    const r = new ChunkReassembler();
    r.push(chunks[0]!);
    const done = r.push(chunks[1]!);
    if (done.kind !== 'complete') throw new Error('bench: set incomplete');
    const plain = decompressPayload(done.payload, 8 * 1024 * 1024);
    if (!plain.ok) throw new Error(plain.reason);
    sink += validateGelf(JSON.parse(plain.data.toString('utf8'))).length;
  },
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const samples: Record<string, number[]> = Object.fromEntries(
  Object.keys(cases).map((k) => [k, []]),
);
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, fn] of Object.entries(cases)) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < PER_ROUND; i++) fn();
    samples[name]!.push(Number(process.hrtime.bigint() - t0) / PER_ROUND / 1000);
  }
}
const base = median(samples['JSON.parse (baseline)']!);
process.stdout.write(
  `gelf-tail CPU per message (${json.length} B JSON), median of ${ROUNDS} rounds × ${PER_ROUND}\n`,
);
process.stdout.write(`${'case'.padEnd(42)} ${'µs/msg'.padStart(8)} ${'× baseline'.padStart(11)}\n`);
for (const name of Object.keys(cases)) {
  const m = median(samples[name]!);
  process.stdout.write(
    `${name.padEnd(42)} ${m.toFixed(2).padStart(8)} ${(m / base).toFixed(2).padStart(11)}\n`,
  );
}

async function tcpThroughput(count: number): Promise<number> {
  const receiver = await createGelfReceiver({ tcp: 0 });
  try {
    const socket = connect({ port: receiver.ports.tcp!, host: '127.0.0.1' });
    await new Promise((resolve) => socket.once('connect', resolve));
    const batch = Buffer.concat(Array.from({ length: 100 }, () => frame));
    let seen = 0;
    const done = new Promise<void>((resolve) =>
      receiver.on('message', () => {
        if (++seen === count) resolve();
      }),
    );
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < count / 100; i++) {
      if (!socket.write(batch)) await new Promise((resolve) => socket.once('drain', resolve));
    }
    await done;
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    socket.destroy();
    return count / seconds;
  } finally {
    await receiver.close();
  }
}

const rates: number[] = [];
for (let i = 0; i < 5; i++) rates.push(await tcpThroughput(20_000));
process.stdout.write(
  `\nlive receiver, one TCP connection on loopback: ${Math.round(median(rates)).toLocaleString('en')} messages/s (median of 5 × 20 000)\n`,
);
if (sink === -1) process.stdout.write('');
