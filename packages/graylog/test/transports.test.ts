import { randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { once } from 'node:events';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { createGelfReceiver, type GelfReceiver, type ReceivedGelf } from '@otel-gelf/gelf-tail';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toGelf, toGelfPayload } from '../src/to-gelf.js';
import { HttpTransport } from '../src/transports/http.js';
import { TcpTransport } from '../src/transports/tcp.js';
import { TlsTransport } from '../src/transports/tls.js';
import { UdpTransport } from '../src/transports/udp.js';
import type { GelfCompression, GelfTransport } from '../src/types.js';
import { selfSignedCertificate, waitUntil } from './helpers.js';
import { operation, summary } from './summaries.js';

const HOST = 'test-host';
// one operation: fits one 1420-byte datagram
const small = summary({ operations: [operation('fast_stuff', [0.5, 0.25])] });
// ~200 operations with long names: a payload of several chunks that compresses well
const big = summary({
  operations: Array.from({ length: 100 }, (_, i) =>
    operation(`a_rather_long_operation_name_for_testing_${i}`, [i + 0.5, i + 1.5, i + 2.25]),
  ),
});

function payload(s = small, maxBytes?: number): Buffer {
  return toGelfPayload(s, { host: HOST, maxBytes })!;
}

let receiver: GelfReceiver;
beforeAll(async () => {
  receiver = await createGelfReceiver({ udp: 0, tcp: 0, http: 0 });
});
afterAll(async () => {
  await receiver.close();
});

/** Sends one summary and returns what the receiver got for it (exactly one message). */
async function roundTrip(transport: GelfTransport, template = small) {
  // a trace id of its own, since the tests share one receiver
  const s = { ...template, traceId: randomBytes(16).toString('hex') };
  const before = transport.stats().sent;
  expect(transport.send(payload(s, transport.maxPayloadBytes))).toBe(true);
  const mine = (m: ReceivedGelf) => m.message._trace_id === s.traceId;
  const received = await receiver.waitForMessage(mine, 10_000);
  await transport.flush(5000);
  expect(transport.stats().sent).toBe(before + 1);
  // exactly one: nothing else trickles in
  await new Promise((r) => setTimeout(r, 50));
  expect(receiver.messages.filter(mine)).toHaveLength(1);
  expect(received!.violations).toEqual([]);
  // field by field what toGelf produced
  expect(received!.message).toEqual(toGelf(s, { host: HOST, maxBytes: transport.maxPayloadBytes }));
  return received!;
}

describe('UdpTransport', () => {
  it('sends a small message as one plain datagram', async () => {
    const t = new UdpTransport({ host: '127.0.0.1', port: receiver.ports.udp! });
    const r = await roundTrip(t);
    expect(r.transport).toBe('udp');
    expect(r.chunks).toBe(1);
    expect(r.compression).toBe('none');
    await t.close(1000);
  });

  const expectations: Array<[GelfCompression, string, (chunks: number, plain: number) => boolean]> =
    [
      ['none', 'none', (c, p) => c === p],
      ['gzip', 'gzip', (c, p) => c < p],
      ['zlib', 'zlib', (c, p) => c < p],
      ['auto', 'zlib', (c, p) => c < p],
    ];
  for (const [compression, seen, chunkCheck] of expectations) {
    it(`sends a chunked message with compression ${compression}`, async () => {
      const t = new UdpTransport({ host: '127.0.0.1', port: receiver.ports.udp!, compression });
      const plainChunks = Math.ceil(payload(big).length / (1420 - 12));
      expect(plainChunks).toBeGreaterThan(3);
      const r = await roundTrip(t, big);
      expect(r.compression).toBe(seen);
      expect(chunkCheck(r.chunks, plainChunks)).toBe(true);
      expect(t.stats()).toMatchObject({ sent: 1, dropped: 0, failed: 0, pending: 0 });
      await t.close(1000);
    });
  }

  it('with auto, does not compress a message that fits one datagram', async () => {
    const t = new UdpTransport({
      host: '127.0.0.1',
      port: receiver.ports.udp!,
      compression: 'auto',
    });
    const r = await roundTrip(t);
    expect(r.compression).toBe('none');
    await t.close(1000);
  });

  it('with auto, sends a message of up to 4 datagrams chunked, not compressed', async () => {
    const t = new UdpTransport({ host: '127.0.0.1', port: receiver.ports.udp!, chunkSize: 512 });
    const fewChunks = summary({
      operations: Array.from({ length: 8 }, (_, i) => operation(`operation_${i}`, [i + 0.5])),
    });
    const plainChunks = Math.ceil(payload(fewChunks, t.maxPayloadBytes).length / (512 - 12));
    expect(plainChunks).toBeGreaterThanOrEqual(2);
    expect(plainChunks).toBeLessThanOrEqual(4);
    const r = await roundTrip(t, fewChunks);
    expect(r.compression).toBe('none');
    expect(r.chunks).toBe(plainChunks);
    await t.close(1000);
  });

  it('honours the chunk size: no datagram larger, no empty trailing chunk', async () => {
    const chunkSize = 512;
    const t = new UdpTransport({
      host: '127.0.0.1',
      port: receiver.ports.udp!,
      chunkSize,
      compression: 'none',
    });
    const p = payload(big, t.maxPayloadBytes);
    const r = await roundTrip(t, big);
    expect(r.chunks).toBe(Math.ceil(p.length / (chunkSize - 12)));
    expect(r.bytes).toBe(p.length + 12 * r.chunks);
    await t.close(1000);
  });

  it('sends a burst of chunked messages each one whole (their chunks share one reused buffer)', async () => {
    const t = new UdpTransport({
      host: '127.0.0.1',
      port: receiver.ports.udp!,
      chunkSize: 512,
      compression: 'none',
    });
    await roundTrip(t);
    const template = summary({
      operations: Array.from({ length: 8 }, (_, i) => operation(`burst_operation_${i}`, [i + 0.5])),
    });
    const burst = Array.from({ length: 30 }, () => ({
      ...template,
      traceId: randomBytes(16).toString('hex'),
    }));
    const payloads = burst.map((s) => payload(s));
    expect(Math.ceil(payloads[0]!.length / (512 - 12))).toBeGreaterThan(2);
    for (const p of payloads) expect(t.send(p)).toBe(true);
    for (const s of burst) {
      const m = await receiver.waitForMessage((r) => r.message._trace_id === s.traceId, 10_000);
      expect(m.violations).toEqual([]);
      expect(m.message).toEqual(toGelf(s, { host: HOST }));
    }
    await t.close(1000);
  });

  it('sendBorrowed keeps its own copy: the caller may reuse its buffer once the call returns', async () => {
    const t = new UdpTransport({ host: '127.0.0.1', port: receiver.ports.udp! });
    // The first waits for the socket to connect, the others go out at once; the last is chunked.
    const sent = [small, small, big].map((template) => ({
      ...template,
      traceId: randomBytes(16).toString('hex'),
    }));
    for (let i = 0; i < sent.length; i++) {
      const bytes = payload(sent[i]!);
      expect(t.sendBorrowed(bytes)).toBe(true);
      bytes.fill(0x20);
      if (i === 0) await t.flush(5000);
    }
    for (const s of sent) {
      const m = await receiver.waitForMessage((r) => r.message._trace_id === s.traceId, 10_000);
      expect(m.message).toEqual(toGelf(s, { host: HOST }));
    }
    const tcp = new TcpTransport({ host: '127.0.0.1', port: receiver.ports.tcp! });
    const s = { ...small, traceId: randomBytes(16).toString('hex') };
    const bytes = payload(s);
    expect(tcp.sendBorrowed(bytes)).toBe(true);
    bytes.fill(0x20);
    const m = await receiver.waitForMessage((r) => r.message._trace_id === s.traceId, 10_000);
    expect(m.message).toEqual(toGelf(s, { host: HOST }));
    await Promise.all([t.close(1000), tcp.close(1000)]);
  });

  it('resolves a host name once and sends to its address', async () => {
    const { address, family } = await lookup('localhost');
    const local = await createGelfReceiver({ host: address, udp: 0 });
    try {
      const t = new UdpTransport({ host: 'localhost', port: local.ports.udp! });
      t.send(payload());
      t.send(payload());
      const got = await local.waitForMessages(2, 10_000);
      expect(got.map((m) => m.message._trace_id)).toEqual([small.traceId, small.traceId]);
      expect(got[0]!.remote.includes(family === 6 ? ':' : '.')).toBe(true);
      await t.close(1000);
    } finally {
      await local.close();
    }
  });

  it('drops and counts a payload over 128 chunks', async () => {
    const t = new UdpTransport({
      host: '127.0.0.1',
      port: receiver.ports.udp!,
      compression: 'none',
    });
    expect(t.send(Buffer.alloc(t.maxPayloadBytes + 1, 0x20))).toBe(false);
    expect(t.stats().dropped).toBe(1);
    await t.close(1000);
  });

  it('drops beyond maxInFlight', async () => {
    const t = new UdpTransport({ host: '127.0.0.1', port: receiver.ports.udp!, maxInFlight: 2 });
    const results = [t.send(payload()), t.send(payload()), t.send(payload())];
    expect(results).toEqual([true, true, false]);
    await t.flush(5000);
    expect(t.stats()).toMatchObject({ sent: 2, dropped: 1, pending: 0 });
    await t.close(1000);
  });
});

describe('TcpTransport', () => {
  it('sends NUL-framed, uncompressed messages on one connection', async () => {
    const t = new TcpTransport({ host: '127.0.0.1', port: receiver.ports.tcp! });
    const r = await roundTrip(t, big);
    expect(r.transport).toBe('tcp');
    expect(r.compression).toBe('none');
    const connections = receiver.stats().tcpConnections;
    await roundTrip(t);
    expect(receiver.stats().tcpConnections).toBe(connections);
    await t.close(1000);
  });
});

describe('HttpTransport', () => {
  it('POSTs to /gelf and counts the 202 as sent', async () => {
    const t = new HttpTransport({
      protocol: 'http',
      host: '127.0.0.1',
      port: receiver.ports.http!,
    });
    const r = await roundTrip(t);
    expect(r.transport).toBe('http');
    expect(r.compression).toBe('none');
    await t.close(1000);
  });

  it('gzips large bodies', async () => {
    const t = new HttpTransport({
      protocol: 'http',
      host: '127.0.0.1',
      port: receiver.ports.http!,
    });
    const r = await roundTrip(t, big);
    expect(r.compression).toBe('gzip');
    expect(r.bytes).toBeLessThan(payload(big).length);
    await t.close(1000);
  });

  it('counts a non-202 answer as failed', async () => {
    const t = new HttpTransport({
      protocol: 'http',
      host: '127.0.0.1',
      port: receiver.ports.http!,
      path: '/not-gelf',
    });
    t.send(payload());
    await t.flush(5000);
    expect(t.stats()).toMatchObject({ sent: 0, failed: 1, pending: 0 });
    await t.close(1000);
  });
});

describe('TlsTransport', () => {
  let server: TlsServer;
  let port: number;
  let cert: string;
  const frames: string[] = [];

  beforeAll(async () => {
    const pair = selfSignedCertificate();
    cert = pair.cert;
    server = createTlsServer({ cert: pair.cert, key: pair.key }, (socket) => {
      let rest = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        const parts = (rest + chunk).split('\0');
        rest = parts.pop()!;
        frames.push(...parts);
      });
      socket.on('error', () => {});
    });
    server.on('tlsClientError', () => {});
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it('sends over TLS, verifying the server certificate against the given CA', async () => {
    frames.length = 0;
    const t = new TlsTransport({ host: 'localhost', port, tls: { ca: cert } });
    t.send(payload());
    t.send(payload(big));
    await waitUntil(() => frames.length === 2, 10_000, 'two TLS frames');
    expect(JSON.parse(frames[0]!)).toEqual(toGelf(small, { host: HOST }));
    expect(JSON.parse(frames[1]!)).toEqual(toGelf(big, { host: HOST }));
    await t.flush(5000);
    expect(t.stats()).toMatchObject({ sent: 2, failed: 0, dropped: 0 });
    await t.close(1000);
  });

  it('refuses a certificate that does not verify: errors counted, nothing sent, nothing thrown', async () => {
    frames.length = 0;
    const t = new TlsTransport({ host: '127.0.0.1', port, maxReconnectDelayMs: 200 });
    t.send(payload());
    await waitUntil(() => t.stats().errors >= 2, 10_000, 'TLS errors');
    expect(frames).toHaveLength(0);
    await t.close(200);
    expect(t.stats()).toMatchObject({ sent: 0, failed: 1, pending: 0 });
  });
});
