import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { GelfSummaryExporter } from '../src/gelf-summary-exporter.js';
import { failOnUnhandledErrors, freePort, selfSignedCertificate, waitUntil } from './helpers.js';
import { startReceiverProcess } from './receiver-process.js';
import { summary } from './summaries.js';

failOnUnhandledErrors();

const withId = () => summary({ traceId: randomBytes(16).toString('hex') });

describe('recovery', () => {
  it('TCP: after an outage long enough for the backoff to reach its cap, delivery resumes within 2.5 s of the listener coming back', async () => {
    const port = await freePort();
    let receiver = await startReceiverProcess(port);
    const exporter = new GelfSummaryExporter({ endpoint: `tcp://127.0.0.1:${port}` });
    const results: number[] = [];
    const exportOne = () => exporter.export([withId()], (r) => results.push(r.exported ?? 0));
    try {
      exportOne();
      await receiver.waitFor(1, 10_000);
      await receiver.close();
      // 6 s down, a summary every 100 ms: the reconnect delay doubles up to its 2 s cap.
      const down = setInterval(exportOne, 100);
      await new Promise((r) => setTimeout(r, 6000));
      clearInterval(down);
      const errorsWhileDown = exporter.stats().errors;
      expect(errorsWhileDown).toBeGreaterThanOrEqual(5);
      receiver = await startReceiverProcess(port);
      // The contract: a message sent after the listener is back arrives within 2.5 s of it; the
      // wait allows 1.5 s more for a loaded machine (the old 30 s cap took 5–12 s).
      const up = setInterval(exportOne, 50);
      try {
        await receiver.waitFor(1, 2500 + 1500);
      } finally {
        clearInterval(up);
      }
      // Backoff capped at 2 s: at most a few attempts per 2 s of outage, not one per message.
      expect(errorsWhileDown).toBeLessThan(6000 / 100);
      await exporter.forceFlush();
      await waitUntil(
        () => results.length === exporter.stats().received,
        30_000,
        'every export callback',
      );
      const s = exporter.stats();
      expect(s.sent + s.dropped + s.failed + s.pending).toBe(s.received);
    } finally {
      await exporter.shutdown();
      await receiver.close();
    }
  }, 60_000);

  it('TLS: the connection comes back by itself after the listener restarts, certificates verified', async () => {
    const cert = selfSignedCertificate();
    const port = await freePort();
    let frames = 0;
    const open = new Set<{ destroy(): void }>();
    const listen = async (): Promise<TlsServer> => {
      const server = createTlsServer({ cert: cert.cert, key: cert.key }, (socket) => {
        open.add(socket);
        socket.on('close', () => open.delete(socket));
        socket.on('data', (chunk: Buffer) => {
          for (let i = chunk.indexOf(0); i !== -1; i = chunk.indexOf(0, i + 1)) frames++;
        });
        socket.on('error', () => {});
      });
      server.listen(port, '127.0.0.1');
      await once(server, 'listening');
      return server;
    };
    let server = await listen();
    const exporter = new GelfSummaryExporter({
      endpoint: `tls://127.0.0.1:${port}`,
      tls: { ca: cert.cert },
    });
    const exportOne = () => exporter.export([withId()], () => {});
    try {
      exportOne();
      await waitUntil(() => frames === 1, 10_000, 'the first frame');
      // Down, as a restart would be: the listener closed, its connections cut.
      const closed = new Promise((r) => server.close(r));
      for (const socket of open) socket.destroy();
      await closed;
      const errors = exporter.stats().errors;
      await waitUntil(() => exporter.stats().errors > errors, 10_000, 'a connection error');
      server = await listen();
      const before = frames;
      const up = setInterval(exportOne, 50);
      try {
        await waitUntil(() => frames > before, 2500 + 1500, 'a frame after the restart');
      } finally {
        clearInterval(up);
      }
    } finally {
      await exporter.shutdown();
      const closed = new Promise((r) => server.close(r));
      for (const socket of open) socket.destroy();
      await closed;
    }
  }, 60_000);
});
