import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createTracerProvider } from '@otel-gelf-internal/sdk';
import { describe, expect, it } from 'vitest';
import { GraylogSummaryProcessor } from '../src/graylog-summary-processor.js';
import { failOnUnhandledErrors } from './helpers.js';

failOnUnhandledErrors();

type Mode = 'accept' | 'error' | 'hang';

describe('counters', () => {
  it('ended requests = exported + dropped (each reason) + failed + filtered + queued, at every point of a run with faults', async () => {
    let mode: Mode = 'accept';
    let accepted = 0;
    const hanging: ServerResponse[] = [];
    const onRequest = (req: IncomingMessage, res: ServerResponse) => {
      req.resume();
      req.on('end', () => {
        if (mode === 'hang') {
          hanging.push(res);
          return;
        }
        if (mode === 'accept') accepted++;
        res.statusCode = mode === 'accept' ? 202 : 500;
        res.end();
      });
    };
    let server = createServer(onRequest);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };

    const processor = new GraylogSummaryProcessor({
      endpoint: `http://127.0.0.1:${port}/gelf`,
      timeoutMillis: 300,
      maxQueueSize: 300,
      exportBatchSize: 50,
      scheduledDelayMillis: 20,
      filter: (s) => !s.name.endsWith('/skip'),
    });
    const provider = createTracerProvider({ spanProcessors: [processor] });
    const tracer = provider.getTracer('invariant');
    let ended = 0;
    const violations: string[] = [];
    const seen = new Set<string>();
    const check = (where: string) => {
      const s = processor.stats();
      const accounted =
        s.exported +
        s.droppedQueueFull +
        s.droppedByExporter +
        s.droppedRequests +
        s.afterShutdown +
        s.failed +
        s.filteredOut +
        s.queued +
        s.exporting;
      if (accounted !== ended) violations.push(`${where}: ended ${ended}, accounted ${accounted}`);
      for (const [k, v] of Object.entries(s)) if (v > 0) seen.add(k);
    };
    // 20 requests every 5 ms (~4 000/s) while the receiver changes; checked after each wave.
    let n = 0;
    const load = setInterval(() => {
      for (let i = 0; i < 20; i++) {
        const root = tracer.startSpan(n++ % 10 === 0 ? 'GET /skip' : 'GET /api', { kind: 1 });
        root.end();
        ended++;
      }
      check('after a wave');
    }, 5);
    const sampler = setInterval(() => check('sampled'), 3);
    const phase = async (next: Mode | 'refuse' | 'reopen', ms: number) => {
      if (next === 'refuse') {
        server.closeAllConnections();
        await new Promise((r) => server.close(r));
      } else if (next === 'reopen') {
        server = createServer(onRequest);
        server.listen(port, '127.0.0.1');
        await once(server, 'listening');
        mode = 'accept';
      } else {
        mode = next;
      }
      check(`start of ${next}`);
      await new Promise((r) => setTimeout(r, ms));
      check(`end of ${next}`);
    };
    try {
      await phase('accept', 400);
      await phase('error', 400);
      await phase('hang', 900);
      for (const res of hanging.splice(0)) res.destroy();
      await phase('refuse', 500);
      await phase('reopen', 600);
    } finally {
      clearInterval(load);
    }
    await processor.forceFlush();
    check('after forceFlush');
    clearInterval(sampler);
    await provider.shutdown();
    check('after shutdown');
    server.closeAllConnections();
    await new Promise((r) => server.close(r));

    expect(violations).toEqual([]);
    const s = processor.stats();
    // The run really had every kind of outcome.
    for (const k of ['exported', 'droppedQueueFull', 'failed', 'filteredOut'])
      expect(seen).toContain(k);
    expect(s).toMatchObject({ queued: 0, exporting: 0 });
    const gelf = processor.gelfStats();
    // What the processor counts as exported the server took (202). A 202 written after the
    // client's 300 ms deadline (a loaded machine) is counted as a timeout, never as exported:
    // every 202 beyond `exported` is one of those timeouts.
    expect(s.exported).toBeLessThanOrEqual(accepted);
    expect(accepted - s.exported).toBeLessThanOrEqual(gelf.lost.timeout);
    expect(gelf.lost.httpStatus).toBeGreaterThan(0);
    expect(gelf.lost.timeout + gelf.lost.network).toBeGreaterThan(0);
    expect(gelf.sent + gelf.dropped + gelf.failed + gelf.pending).toBe(gelf.received);
  }, 60_000);
});
