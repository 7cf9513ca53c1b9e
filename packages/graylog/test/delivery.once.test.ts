import { once } from 'node:events';
import { createServer as createNetServer, connect as netConnect, type Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { context, trace } from '@opentelemetry/api';
import { createTracerProvider } from '@otel-gelf-internal/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GraylogSummaryProcessor,
  type GraylogSummaryProcessorOptions,
} from '../src/graylog-summary-processor.js';
import { failOnUnhandledErrors, selfSignedCertificate, waitUntil } from './helpers.js';
import { type ReceiverProcess, startReceiverProcess } from './receiver-process.js';

failOnUnhandledErrors();

let receiver: ReceiverProcess;
let tlsFront: TlsServer;
let tlsPort = 0;
let cert: { cert: string; key: string };
beforeAll(async () => {
  receiver = await startReceiverProcess();
  // gelf-tail has no TLS input: a TLS front that forwards each connection to its TCP port.
  cert = selfSignedCertificate();
  tlsFront = createTlsServer({ cert: cert.cert, key: cert.key }, (socket) => {
    const upstream = netConnect(receiver.ports.tcp!, '127.0.0.1');
    socket.pipe(upstream);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  await new Promise<void>((r) => tlsFront.listen(0, '127.0.0.1', r));
  tlsPort = (tlsFront.address() as { port: number }).port;
}, 60_000);
afterAll(async () => {
  await receiver?.close();
  await new Promise((r) => tlsFront?.close(r));
});

/**
 * Ends `n` requests (a root and one child each) in one synchronous burst through a real tracer
 * provider, then waits until the receiver has every one; checks the counters on both sides.
 */
async function burst(
  n: number,
  options: GraylogSummaryProcessorOptions,
  attributes: Record<string, string> = {},
): Promise<{ bytes: number }> {
  const before = (await receiver.count()).distinct;
  // The whole burst fits the queue: what is under test is what happens after it.
  const processor = new GraylogSummaryProcessor({ maxQueueSize: n, ...options });
  const provider = createTracerProvider({ spanProcessors: [processor] });
  const tracer = provider.getTracer('burst');
  try {
    for (let i = 0; i < n; i++) {
      const root = tracer.startSpan('GET /burst', { kind: 1, attributes });
      tracer.startSpan('work', {}, trace.setSpan(context.active(), root)).end();
      root.end();
    }
    const arrived = await receiver.waitFor(before + n, 120_000);
    await processor.forceFlush();
    const stats = processor.stats();
    const gelf = processor.gelfStats();
    expect(arrived.distinct - before).toBe(n);
    expect(stats).toMatchObject({
      exported: n,
      droppedQueueFull: 0,
      droppedByExporter: 0,
      failed: 0,
      queued: 0,
      exporting: 0,
    });
    expect(gelf).toMatchObject({ received: n, sent: n, dropped: 0, failed: 0, pending: 0 });
    return { bytes: gelf.bytes };
  } finally {
    await provider.shutdown();
  }
}

describe('delivery to a healthy gelf-tail (child process): a burst of 10 000, nothing lost', () => {
  it('over UDP', async () => {
    await burst(10_000, { endpoint: `udp://127.0.0.1:${receiver.ports.udp}` });
  }, 180_000);

  it('over TCP', async () => {
    await burst(10_000, { endpoint: `tcp://127.0.0.1:${receiver.ports.tcp}` });
  }, 180_000);

  it('over TLS', async () => {
    await burst(10_000, {
      endpoint: `tls://127.0.0.1:${tlsPort}`,
      tls: { ca: cert.cert },
    });
  }, 180_000);

  it('over HTTP', async () => {
    await burst(10_000, { endpoint: `http://127.0.0.1:${receiver.ports.http}/gelf` });
  }, 180_000);

  it('through gelf-pro over UDP', async () => {
    await burst(10_000, {
      endpoint: `udp://127.0.0.1:${receiver.ports.udp}`,
      transport: 'gelf-pro',
    });
  }, 180_000);

  it('over TCP, 500 summaries of ~20 KB (a batch larger than maxBufferBytes)', async () => {
    const { bytes } = await burst(
      500,
      { endpoint: `tcp://127.0.0.1:${receiver.ports.tcp}` },
      { 'http.route': `/${'x'.repeat(20_000)}` },
    );
    // 500 × 20 KB is more than the 4 MiB buffer: backpressure, not the buffer, carried it.
    expect(bytes).toBeGreaterThan(500 * 20_000);
  }, 180_000);
});

describe('a TCP receiver slower than the application', () => {
  it('summaries wait in the queue (droppedQueueFull beyond maxQueueSize), the transport drops nothing, and what was exported arrived', async () => {
    // Reads a chunk, then sleeps 10 ms: a few MB/s, far slower than the burst.
    let frames = 0;
    const sockets: Socket[] = [];
    const server = createNetServer((socket) => {
      sockets.push(socket);
      socket.on('data', (chunk) => {
        for (let i = chunk.indexOf(0); i !== -1; i = chunk.indexOf(0, i + 1)) frames++;
        socket.pause();
        setTimeout(() => socket.resume(), 10);
      });
      socket.on('error', () => {});
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    const processor = new GraylogSummaryProcessor({
      endpoint: `tcp://127.0.0.1:${port}`,
      maxQueueSize: 200,
      exportBatchSize: 100,
    });
    const provider = createTracerProvider({ spanProcessors: [processor] });
    const tracer = provider.getTracer('slow');
    const n = 2000;
    try {
      for (let i = 0; i < n; i++) {
        tracer
          .startSpan('GET /slow', {
            kind: 1,
            attributes: { 'http.route': `/${'y'.repeat(20_000)}` },
          })
          .end();
      }
      await processor.forceFlush();
      const stats = processor.stats();
      const gelf = processor.gelfStats();
      expect(stats.droppedQueueFull).toBeGreaterThan(0);
      expect(stats.exported + stats.droppedQueueFull).toBe(n);
      expect(stats).toMatchObject({ droppedByExporter: 0, failed: 0, queued: 0, exporting: 0 });
      expect(gelf).toMatchObject({ dropped: 0, failed: 0, pending: 0 });
      expect(gelf.lost.bufferFull).toBe(0);
      // Sent means the kernel took it; the slow peer still reads it all.
      await waitUntil(() => frames === stats.exported, 60_000, 'the slow peer to read every frame');
    } finally {
      await provider.shutdown();
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    }
  }, 120_000);
});
