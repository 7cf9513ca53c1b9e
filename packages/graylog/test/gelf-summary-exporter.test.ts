import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { DiagLogLevel, diag } from '@opentelemetry/api';
import { createGelfReceiver, type GelfReceiver } from '@otel-gelf/gelf-tail';
import type { SummaryExportResult } from '@otel-gelf/request-summary';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigurationError } from '../src/configuration-error.js';
import { GelfSummaryExporter, SLICE_MS } from '../src/gelf-summary-exporter.js';
import { noLosses } from '../src/transports/counters.js';
import type { GelfOutcomeCallback, GelfTransport, GelfTransportStats } from '../src/types.js';
import { waitUntil } from './helpers.js';
import { operation, summary } from './summaries.js';

let receiver: GelfReceiver;
beforeAll(async () => {
  receiver = await createGelfReceiver({ udp: 0, tcp: 0, http: 0 });
});
afterAll(async () => {
  await receiver.close();
});

function withId() {
  return summary({ traceId: randomBytes(16).toString('hex') });
}

/**
 * Calls export and returns the result once the callback came (it calls back when the transport
 * has taken the batch); checks that it came exactly once.
 */
async function exportAll(exporter: GelfSummaryExporter, summaries = [withId()]) {
  const results: SummaryExportResult[] = [];
  exporter.export(summaries, (r) => results.push(r));
  await waitUntil(() => results.length > 0, 10_000, 'the export callback');
  await new Promise((r) => setTimeout(r, 10));
  expect(results).toHaveLength(1);
  return results[0]!;
}

class FakeTransport implements GelfTransport {
  readonly maxPayloadBytes = 100_000;
  payloads: Buffer[] = [];
  accept = true;
  throwOnSend = false;
  send(payload: Buffer, onOutcome?: GelfOutcomeCallback): boolean {
    if (this.throwOnSend) throw new Error('transport bug');
    if (this.accept) this.payloads.push(payload);
    onOutcome?.(this.accept ? 'sent' : 'bufferFull', this.accept ? undefined : 'fake buffer full');
    return this.accept;
  }
  flush(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  stats(): GelfTransportStats {
    return {
      sent: this.payloads.length,
      dropped: 0,
      failed: 0,
      lost: noLosses(),
      pending: 0,
      bytes: 0,
      errors: 0,
    };
  }
}

describe('GelfSummaryExporter', () => {
  describe('export', () => {
    it('sends one GELF message per summary and reports SUCCESS once', async () => {
      const exporter = new GelfSummaryExporter({
        endpoint: `udp://127.0.0.1:${receiver.ports.udp}`,
        host: 'web-1',
      });
      const summaries = [withId(), withId(), withId()];
      expect((await exportAll(exporter, summaries)).code).toBe(0);
      for (const s of summaries) {
        const m = await receiver.waitForMessage((r) => r.message._trace_id === s.traceId);
        expect(m.message.host).toBe('web-1');
        expect(m.violations).toEqual([]);
      }
      await exporter.forceFlush();
      expect(exporter.stats()).toMatchObject({
        received: 3,
        sent: 3,
        dropped: 0,
        failed: 0,
        pending: 0,
      });
      await exporter.shutdown();
    });

    it('uses os.hostname() as host by default', async () => {
      const exporter = new GelfSummaryExporter({
        endpoint: `tcp://127.0.0.1:${receiver.ports.tcp}`,
        env: {},
      });
      const s = withId();
      await exportAll(exporter, [s]);
      const m = await receiver.waitForMessage((r) => r.message._trace_id === s.traceId);
      expect(m.message.host).toBe(hostname());
      await exporter.shutdown();
    });

    it('reads the endpoint from the environment when none is given', async () => {
      const exporter = new GelfSummaryExporter({
        env: { OTEL_EXPORTER_GELF_ENDPOINT: `http://127.0.0.1:${receiver.ports.http}/gelf` },
      });
      const s = withId();
      await exportAll(exporter, [s]);
      const m = await receiver.waitForMessage((r) => r.message._trace_id === s.traceId);
      expect(m.transport).toBe('http');
      await exporter.shutdown();
    });

    it('fits a huge summary into the UDP limit instead of dropping it', async () => {
      const exporter = new GelfSummaryExporter({
        endpoint: `udp://127.0.0.1:${receiver.ports.udp}`,
        compression: 'none',
      });
      const ops = Array.from({ length: 400 }, (_, i) =>
        operation(`${'op'.repeat(40)}_${i}`, [i, i + 1]),
      );
      const s = summary({ traceId: randomBytes(16).toString('hex'), operations: ops });
      expect((await exportAll(exporter, [s])).code).toBe(0);
      const m = await receiver.waitForMessage((r) => r.message._trace_id === s.traceId);
      expect(m.chunks).toBeLessThanOrEqual(128);
      // 56 operations have fields (the default budget), the other 344 are folded
      expect(m.message._ops_folded).toBe(344);
      expect(m.message._ops_other_count).toBe(688);
      expect(m.violations).toEqual([]);
      await exporter.shutdown();
    });

    it('reports FAILED when the transport drops a message', async () => {
      const transport = new FakeTransport();
      transport.accept = false;
      const exporter = new GelfSummaryExporter({ transport });
      const r = await exportAll(exporter, [withId(), withId()]);
      expect(r).toMatchObject({ code: 1, exported: 0, dropped: 2 });
      expect(r.error?.message).toBe('fake buffer full');
    });

    it('never throws: a failing transport gives FAILED, a throwing callback is contained', async () => {
      const transport = new FakeTransport();
      transport.throwOnSend = true;
      const exporter = new GelfSummaryExporter({ transport });
      expect(await exportAll(exporter)).toMatchObject({ code: 1, exported: 0, dropped: 0 });
      expect(exporter.stats()).toMatchObject({ failed: 1, lost: { network: 1 } });
      transport.throwOnSend = false;
      let calls = 0;
      expect(() =>
        exporter.export([withId()], () => {
          calls++;
          throw new Error('callback bug');
        }),
      ).not.toThrow();
      expect(calls).toBe(1);
    });

    it('hands a batch over in slices of SLICE_MS, letting the event loop run between them', async () => {
      const transport = new FakeTransport();
      const exporter = new GelfSummaryExporter({ transport });
      const summaries = Array.from({ length: 20 }, withId);
      // A clock that moves 0.4 of a slice per reading: a slice holds a few messages, whatever
      // the machine's speed.
      let now = 0;
      const clock = vi.spyOn(performance, 'now').mockImplementation(() => (now += SLICE_MS * 0.4));
      try {
        const results: SummaryExportResult[] = [];
        exporter.export(summaries, (r) => results.push(r));
        const inFirstSlice = transport.payloads.length;
        const afterATurn = await new Promise<number>((r) =>
          setImmediate(() => r(transport.payloads.length)),
        );
        await waitUntil(() => results.length > 0, 10_000, 'the export callback');
        expect(inFirstSlice).toBeGreaterThan(0);
        expect(inFirstSlice).toBeLessThan(5);
        expect(afterATurn).toBeLessThan(summaries.length);
        expect(results).toEqual([{ code: 0, exported: 20, dropped: 0 }]);
        expect(transport.payloads).toHaveLength(20);
      } finally {
        clock.mockRestore();
      }
    });

    it("gives a transport of one's own payloads it may keep: each a buffer of its own", async () => {
      const transport = new FakeTransport();
      const exporter = new GelfSummaryExporter({ transport });
      const summaries = [withId(), withId(), withId()];
      await exportAll(exporter, summaries);
      // Kept after the export: had they been views of the mapping's scratch buffer, all three
      // would now read as the last message.
      expect(
        transport.payloads.map(
          (p) => (JSON.parse(p.toString('utf8')) as { _trace_id: string })._trace_id,
        ),
      ).toEqual(summaries.map((s) => s.traceId));
    });

    it('reports FAILED after shutdown and sends nothing', async () => {
      const transport = new FakeTransport();
      const exporter = new GelfSummaryExporter({ transport });
      await exporter.shutdown();
      const r = await exportAll(exporter);
      expect(r.code).toBe(1);
      expect(r.error?.message).toContain('shut down');
      expect(transport.payloads).toHaveLength(0);
    });
  });

  describe('shutdown', () => {
    it('runs once and closes the transport once', async () => {
      const transport = new FakeTransport();
      let closes = 0;
      transport.close = () => {
        closes++;
        return Promise.resolve();
      };
      const exporter = new GelfSummaryExporter({ transport });
      await Promise.all([exporter.shutdown(), exporter.shutdown()]);
      await exporter.shutdown();
      expect(closes).toBe(1);
    });

    it('resolves even when the transport rejects', async () => {
      const transport = new FakeTransport();
      transport.close = () => Promise.reject(new Error('boom'));
      transport.flush = () => Promise.reject(new Error('boom'));
      const exporter = new GelfSummaryExporter({ transport });
      await expect(exporter.forceFlush()).resolves.toBeUndefined();
      await expect(exporter.shutdown()).resolves.toBeUndefined();
    });
  });

  describe('construction', () => {
    it('names an invalid endpoint', () => {
      expect(() => new GelfSummaryExporter({ endpoint: 'foo://x' })).toThrow(
        'GelfSummaryExporter: invalid endpoint "foo://x" (expected udp://, tcp://, tls://, http:// or https://)',
      );
    });
  });
});

describe('GelfSummaryExporter with transport gelf-pro', () => {
  for (const protocol of ['udp', 'tcp'] as const) {
    it(`sends through gelf-pro over ${protocol}`, async () => {
      const exporter = new GelfSummaryExporter({
        endpoint: `${protocol}://127.0.0.1:${receiver.ports[protocol]}`,
        transport: 'gelf-pro',
        host: 'pro-host',
      });
      const s = withId();
      expect((await exportAll(exporter, [s])).code).toBe(0);
      const m = await receiver.waitForMessage((r) => r.message._trace_id === s.traceId);
      expect(m.transport).toBe(protocol);
      if (protocol === 'udp') expect(m.compression).toBe('zlib');
      expect(m.message._op_fast_stuff_count).toBe(6);
      expect(m.violations).toEqual([]);
      await exporter.forceFlush();
      expect(exporter.stats()).toMatchObject({ sent: 1, failed: 0 });
      await exporter.shutdown();
    });
  }

  it('refuses a second gelf-pro endpoint while one is open (gelf-pro has one config per process)', async () => {
    const first = new GelfSummaryExporter({
      endpoint: `udp://127.0.0.1:${receiver.ports.udp}`,
      transport: 'gelf-pro',
    });
    expect(
      () => new GelfSummaryExporter({ endpoint: 'udp://127.0.0.1:9', transport: 'gelf-pro' }),
    ).toThrow('GelfSummaryExporter: gelf-pro keeps one configuration per process');
    expect(
      () => new GelfSummaryExporter({ endpoint: 'udp://127.0.0.1:9', transport: 'gelf-pro' }),
    ).toThrow(ConfigurationError);
    await first.shutdown();
    const second = new GelfSummaryExporter({
      endpoint: 'udp://127.0.0.1:9',
      transport: 'gelf-pro',
    });
    await second.shutdown();
  });

  it('warns once, and goes on, when tls is given for a udp:// endpoint', async () => {
    const warnings: string[] = [];
    const record = (message: string) => warnings.push(message);
    diag.setLogger(
      { error: record, warn: record, info() {}, debug() {}, verbose() {} },
      { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
    );
    try {
      const exporter = new GelfSummaryExporter({ endpoint: 'udp://127.0.0.1:9', tls: {} });
      await exporter.shutdown();
    } finally {
      diag.disable();
    }
    expect(warnings).toEqual([
      'GelfSummaryExporter: option tls is ignored for "udp://127.0.0.1:9" (only tls:// and https:// endpoints use it)',
    ]);
  });
});
