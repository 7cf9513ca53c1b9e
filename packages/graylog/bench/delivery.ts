/**
 * Sustained delivery: messages per second from `GelfSummaryExporter` to a healthy gelf-tail (the
 * package's receiver, parsing every message) in a child process, per transport, the way the
 * processor drives it (batches of 512, one export at a time, each waiting for the transport to
 * take the batch), with what was lost beside it (must be 0) and the sender's CPU per message.
 * Beside each transport, its floor: pre-serialised bytes written by a bare socket (or keep-alive
 * HTTP agent) to the same receiver, so the receiver's own limit shows.
 *
 * Run: pnpm --filter @otel-gelf/graylog bench   (DELIVERY_N=20000 DELIVERY_ROUNDS=3 to change)
 */
import { createSocket } from 'node:dgram';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import type { RequestSummary } from '@otel-gelf/request-summary';
import { GelfSummaryExporter } from '../src/gelf-summary-exporter.js';
import { toGelfPayload } from '../src/to-gelf.js';
import { type ReceiverProcess, startReceiverProcess } from '../test/receiver-process.js';
import { summary } from './summaries.js';

const N = Number(process.env.DELIVERY_N ?? 20_000);
const N_GELF_PRO = Math.max(500, Math.round(N / 10));
const ROUNDS = Number(process.env.DELIVERY_ROUNDS ?? 3);
const BATCH = 512;
const HOST = 'bench-host';

interface Run {
  rate: number;
  cpuUs: number;
  lost: number;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Waits until the receiver counted `target` messages, or stopped moving for 3 s. */
async function arrived(
  receiver: ReceiverProcess,
  target: number,
): Promise<{ count: number; at: number }> {
  let last = -1;
  let lastChange = performance.now();
  let at = lastChange;
  for (;;) {
    const { received } = await receiver.count();
    const now = performance.now();
    if (received !== last) {
      last = received;
      lastChange = now;
      at = now;
    }
    if (received >= target || now - lastChange > 3000) return { count: received, at };
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** `n` summaries through one exporter, batch after batch as the processor sends them. */
async function viaExporter(
  receiver: ReceiverProcess,
  endpoint: string,
  n: number,
  gelfPro = false,
): Promise<Run> {
  const exporter = new GelfSummaryExporter({
    endpoint,
    host: HOST,
    ...(gelfPro ? { transport: 'gelf-pro' as const } : {}),
  });
  const batches: RequestSummary[][] = [];
  for (let i = 0; i < n; i += BATCH) {
    batches.push(Array.from({ length: Math.min(BATCH, n - i) }, (_, k) => summary(i + k)));
  }
  const before = (await receiver.count()).received;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const batch of batches) {
    await new Promise<void>((done) => exporter.export(batch, () => done()));
  }
  const cpu = process.cpuUsage(cpu0);
  const got = await arrived(receiver, before + n);
  const s = exporter.stats();
  await exporter.shutdown();
  const received = got.count - before;
  return {
    rate: received / ((got.at - t0) / 1000),
    cpuUs: (cpu.user + cpu.system) / n,
    // Lost by the exporter's own count and by the receiver's, whichever is larger.
    lost: Math.max(s.dropped + s.failed, n - received),
  };
}

/** The floor: the same bytes, pre-serialised, written as fast as the socket takes them. */
async function floor(
  receiver: ReceiverProcess,
  kind: 'udp' | 'tcp' | 'http',
  n: number,
): Promise<Run> {
  const payload = toGelfPayload(summary(0), { host: HOST })!;
  const before = (await receiver.count()).received;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  if (kind === 'udp') {
    const socket = createSocket('udp4');
    await new Promise<void>((r) => socket.connect(receiver.ports.udp!, '127.0.0.1', () => r()));
    for (let i = 0; i < n; i += BATCH) {
      const end = Math.min(n, i + BATCH);
      await new Promise<void>((done) => {
        let left = end - i;
        for (let j = i; j < end; j++) socket.send(payload, () => --left === 0 && done());
      });
    }
    socket.close();
  } else if (kind === 'tcp') {
    const frame = Buffer.concat([payload, Buffer.from([0])]);
    const socket = connect(receiver.ports.tcp!, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    for (let i = 0; i < n; i++) {
      if (!socket.write(frame)) await new Promise((r) => socket.once('drain', r));
    }
    await new Promise<void>((r) => socket.end(() => r()));
  } else {
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    let next = 0;
    const worker = async () => {
      while (next < n) {
        next++;
        await new Promise<void>((done) => {
          const req = request(
            { host: '127.0.0.1', port: receiver.ports.http, path: '/gelf', method: 'POST', agent },
            (res) => {
              res.resume();
              res.on('end', () => done());
            },
          );
          req.on('error', () => done());
          req.end(payload);
        });
      }
    };
    await Promise.all(Array.from({ length: 32 }, worker));
    agent.destroy();
  }
  const cpu = process.cpuUsage(cpu0);
  const got = await arrived(receiver, before + n);
  const received = got.count - before;
  return {
    rate: received / ((got.at - t0) / 1000),
    cpuUs: (cpu.user + cpu.system) / n,
    lost: n - received,
  };
}

async function main(): Promise<void> {
  const receiver = await startReceiverProcess();
  const p = receiver.ports;
  const variants: Array<{ name: string; run: () => Promise<Run> }> = [
    { name: 'floor: bare dgram send', run: () => floor(receiver, 'udp', N) },
    { name: 'ours udp', run: () => viaExporter(receiver, `udp://127.0.0.1:${p.udp}`, N) },
    { name: 'floor: bare TCP writes', run: () => floor(receiver, 'tcp', N) },
    { name: 'ours tcp', run: () => viaExporter(receiver, `tcp://127.0.0.1:${p.tcp}`, N) },
    { name: 'floor: bare HTTP, 4 sockets', run: () => floor(receiver, 'http', N) },
    { name: 'ours http', run: () => viaExporter(receiver, `http://127.0.0.1:${p.http}/gelf`, N) },
    {
      name: 'ours via gelf-pro (udp)',
      run: () => viaExporter(receiver, `udp://127.0.0.1:${p.udp}`, N_GELF_PRO, true),
    },
  ];
  console.log(
    `\nSustained delivery to gelf-tail (child process, parses every message): node ${process.version}, ${ROUNDS} rounds, N=${N} (gelf-pro N=${N_GELF_PRO}), batches of ${BATCH}`,
  );
  const results = new Map<string, Run[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < variants.length; k++) {
      const v = variants[(k + round) % variants.length]!;
      const r = await v.run();
      results.set(v.name, [...(results.get(v.name) ?? []), r]);
    }
  }
  await receiver.close();
  const rate = (name: string) => median(results.get(name)!.map((r) => r.rate));
  console.table(
    variants.map((v) => {
      const runs = results.get(v.name)!;
      return {
        variant: v.name,
        'msgs/s': Math.round(median(runs.map((r) => r.rate))).toLocaleString('en-US'),
        'sender CPU µs/msg': median(runs.map((r) => r.cpuUs)).toFixed(2),
        lost: runs.reduce((sum, r) => sum + r.lost, 0),
      };
    }),
  );
  const tcp = rate('ours tcp');
  console.log(
    `budget ≥ 50 000 msgs/s over one TCP connection: ${tcp >= 50_000 ? 'met' : 'not met'} here, ${Math.round(tcp).toLocaleString('en-US')}/s to gelf-tail (its floor, bare writes: ${Math.round(rate('floor: bare TCP writes')).toLocaleString('en-US')}/s; to a counting sink see the table above)`,
  );
}

await main();
