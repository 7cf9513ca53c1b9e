import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { type DiagLogger, DiagLogLevel, diag } from '@opentelemetry/api';
import { createGelfReceiver } from '@otel-gelf/gelf-tail';
import { describe, expect, it } from 'vitest';
import { GelfSummaryExporter } from '../src/gelf-summary-exporter.js';
import { toGelfPayload } from '../src/to-gelf.js';
import { TcpTransport } from '../src/transports/tcp.js';
import { UdpTransport } from '../src/transports/udp.js';
import type { GelfOutcome } from '../src/types.js';
import { failOnUnhandledErrors, freePort, waitUntil, within } from './helpers.js';
import { summary } from './summaries.js';

function withId() {
  return summary({ traceId: randomBytes(16).toString('hex') });
}

/** Exports `n` summaries one by one; returns the result codes. */
function exportMany(exporter: GelfSummaryExporter, n: number): number[] {
  const codes: number[] = [];
  for (let i = 0; i < n; i++) exporter.export([withId()], (r) => codes.push(r.code));
  return codes;
}

failOnUnhandledErrors();

describe('faults', () => {
  it('UDP with nothing listening: every export calls back, nothing thrown, flush and shutdown are quick', async () => {
    const port = await freePort();
    const exporter = new GelfSummaryExporter({
      endpoint: `udp://127.0.0.1:${port}`,
      timeoutMillis: 1000,
    });
    const codes = exportMany(exporter, 50);
    // Sent, or failed once ICMP "port unreachable" came back on the connected socket.
    await waitUntil(() => codes.length === 50, 5000, 'every export callback');
    await within(1500, exporter.forceFlush());
    await within(1500, exporter.shutdown());
    const stats = exporter.stats();
    expect(stats.received).toBe(50);
    expect(stats.sent + stats.failed).toBe(50);
  });

  it('TCP connection refused: messages are counted as failed, shutdown resolves within its timeout', async () => {
    const port = await freePort();
    const exporter = new GelfSummaryExporter({
      endpoint: `tcp://127.0.0.1:${port}`,
      timeoutMillis: 500,
    });
    exportMany(exporter, 20);
    await waitUntil(() => exporter.stats().errors > 0, 5000, 'a connection error');
    await within(1500, exporter.forceFlush());
    await within(1500, exporter.shutdown());
    expect(exporter.stats()).toMatchObject({ received: 20, sent: 0, failed: 20, pending: 0 });
  });

  it('HTTP connection refused: failures counted, nothing thrown', async () => {
    const port = await freePort();
    const exporter = new GelfSummaryExporter({
      endpoint: `http://127.0.0.1:${port}/gelf`,
      timeoutMillis: 1000,
    });
    exportMany(exporter, 10);
    await within(2000, exporter.forceFlush());
    expect(exporter.stats()).toMatchObject({ sent: 0, failed: 10, pending: 0 });
    expect(exporter.stats().errors).toBeGreaterThanOrEqual(10);
    await within(1500, exporter.shutdown());
  });

  it('a TCP peer that never reads: the buffer stays bounded, drops are counted', async () => {
    const accepted: Socket[] = [];
    const server: Server = createServer((socket) => {
      socket.pause();
      accepted.push(socket);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    const maxBufferBytes = 1024 * 1024;
    const transport = new TcpTransport({ host: '127.0.0.1', port, maxBufferBytes });
    const payload = toGelfPayload(summary({ attributes: { pad: 'x'.repeat(30_000) } }), {
      host: 'h',
    })!;
    let sends = 0;
    await waitUntil(() => {
      sends++;
      transport.send(payload);
      return accepted.length > 0;
    });
    // far more than the kernel and our buffer can hold
    let refused = 0;
    for (let round = 0; round < 40 && refused === 0; round++) {
      for (let i = 0; i < 100; i++) {
        sends++;
        if (!transport.send(payload)) refused++;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    const stats = transport.stats();
    expect(refused).toBeGreaterThan(0);
    expect(stats.dropped).toBe(refused);
    expect(stats.lost.bufferFull).toBe(refused);
    // held by us, queued and in Node's socket buffer alike: within maxBufferBytes
    expect(stats.pending * (payload.length + 1)).toBeLessThanOrEqual(maxBufferBytes);
    await within(1000, transport.flush(300));
    await within(1000, transport.close(300));
    for (const s of accepted) s.destroy();
    await new Promise((r) => server.close(r));
    await waitUntil(() => transport.stats().pending === 0, 5000, 'pending to settle');
    // every message ends in exactly one counter
    const after = transport.stats();
    expect(after.dropped).toBe(refused);
    expect(after.sent + after.failed + after.dropped).toBe(sends);
  });

  it('a TCP peer that restarts: the transport reconnects by itself and later messages arrive', async () => {
    let receiver = await createGelfReceiver({ tcp: 0 });
    const port = receiver.ports.tcp!;
    const exporter = new GelfSummaryExporter({
      endpoint: `tcp://127.0.0.1:${port}`,
      timeoutMillis: 2000,
    });
    const first = withId();
    exporter.export([first], () => {});
    await receiver.waitForMessage((m) => m.message._trace_id === first.traceId);
    await receiver.close();
    // while it is down: queued (or lost with the old connection), never thrown
    exporter.export([withId()], () => {});
    await new Promise((r) => setTimeout(r, 150));
    receiver = await createGelfReceiver({ tcp: port });
    try {
      const later = withId();
      exporter.export([later], () => {});
      const m = await receiver.waitForMessage((r) => r.message._trace_id === later.traceId, 15_000);
      expect(m.violations).toEqual([]);
    } finally {
      await exporter.shutdown();
      await receiver.close();
    }
  });

  it('UDP connect() failing: the real error is reported, waiting messages fail as network, and connect is tried again', async () => {
    const warnings: string[] = [];
    const logger = { warn: (m: string) => warnings.push(m) } as unknown as DiagLogger;
    diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
    try {
      // connect() to the broadcast address fails (EACCES: no SO_BROADCAST) on every attempt.
      const transport = new UdpTransport({ host: '255.255.255.255', port: 12201 });
      const outcomes: GelfOutcome[] = [];
      const payload = Buffer.from('{"version":"1.1","host":"h","short_message":"m"}');
      for (let i = 0; i < 3; i++) transport.send(payload, (o) => outcomes.push(o));
      await waitUntil(() => outcomes.length === 3, 5000, 'the first outcomes');
      // Sent while the retry is pending: they wait for the next attempt, which fails too.
      await waitUntil(
        () => {
          transport.send(payload, (o) => outcomes.push(o));
          return transport.stats().errors >= 3;
        },
        10_000,
        'two more connect attempts',
      );
      await waitUntil(() => transport.stats().pending === 0, 5000, 'pending to settle');
      expect(new Set(outcomes)).toEqual(new Set(['network']));
      expect(transport.stats()).toMatchObject({ sent: 0, failed: outcomes.length, dropped: 0 });
      expect(warnings[0]).toMatch(/cannot connect to 255\.255\.255\.255:12201: connect EACCES/);
      expect(warnings.join('\n')).not.toContain('ERR_SOCKET_BAD_PORT');
      await transport.close(100);
    } finally {
      diag.disable();
    }
  });

  it('HTTP answering 500, then 202: failures counted as httpStatus, delivery resumes by itself', async () => {
    let healthy = false;
    let accepted = 0;
    const server = createHttpServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (healthy) accepted++;
        res.statusCode = healthy ? 202 : 500;
        res.end();
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    const exporter = new GelfSummaryExporter({ endpoint: `http://127.0.0.1:${port}/gelf` });
    try {
      const sick: number[] = [];
      for (let i = 0; i < 20; i++) exporter.export([withId()], (r) => sick.push(r.exported ?? -1));
      await waitUntil(() => sick.length === 20, 10_000, 'the failing exports');
      expect(sick).toEqual(new Array(20).fill(0));
      healthy = true;
      const well: number[] = [];
      for (let i = 0; i < 20; i++) exporter.export([withId()], (r) => well.push(r.exported ?? -1));
      await waitUntil(() => well.length === 20, 10_000, 'the healthy exports');
      expect(well).toEqual(new Array(20).fill(1));
      expect(accepted).toBe(20);
      expect(exporter.stats()).toMatchObject({
        received: 40,
        sent: 20,
        failed: 20,
        lost: { httpStatus: 20 },
      });
    } finally {
      await exporter.shutdown();
      await new Promise((r) => server.close(r));
    }
  });
});
