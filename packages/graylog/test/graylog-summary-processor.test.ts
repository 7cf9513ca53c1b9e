import { once } from 'node:events';
import { createServer as createTlsServer } from 'node:tls';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { createGelfReceiver, type GelfReceiver } from '@otel-gelf/gelf-tail';
import { resetGlobals, setupTracing } from '@otel-gelf-internal/sdk';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GraylogSummaryProcessor } from '../src/graylog-summary-processor.js';
import { failOnUnhandledErrors, freePort, selfSignedCertificate, within } from './helpers.js';

let receiver: GelfReceiver;
beforeAll(async () => {
  receiver = await createGelfReceiver({ udp: 0, tcp: 0 });
});
afterAll(async () => {
  await receiver.close();
});

/** One request like the seed's: a root, 13 `fast_stuff` and 1 `some_slow_stuff` children. */
async function request(name = 'GET /api', fail = false): Promise<string> {
  const tracer = trace.getTracer('test');
  return tracer.startActiveSpan(
    name,
    {
      kind: 1,
      attributes: { 'http.route': '/api', 'http.response.status_code': fail ? 500 : 200 },
    },
    async (root) => {
      for (let i = 0; i < 13; i++) tracer.startActiveSpan('fast_stuff', (s) => s.end());
      await tracer.startActiveSpan('some_slow_stuff', async (s) => {
        await new Promise((r) => setTimeout(r, 20));
        s.end();
      });
      if (fail) root.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
      root.end();
      return root.spanContext().traceId;
    },
  );
}

describe('GraylogSummaryProcessor', () => {
  afterEach(() => resetGlobals());

  it('sends exactly one GELF message per request through a real tracer provider', async () => {
    const processor = new GraylogSummaryProcessor({
      endpoint: `udp://127.0.0.1:${receiver.ports.udp}`,
      scheduledDelayMillis: 10,
      host: 'web-1',
    });
    const tracing = setupTracing({
      spanProcessors: [processor],
      resource: { 'service.name': 'shop' },
    });
    try {
      const traceId = await request();
      const m = await receiver.waitForMessage((r) => r.message._trace_id === traceId, 10_000);
      expect(m.violations).toEqual([]);
      expect(m.message).toMatchObject({
        host: 'web-1',
        level: 6,
        _request: 'GET /api',
        _service_name: 'shop',
        _http_route: '/api',
        _op_fast_stuff_count: 13,
        _op_some_slow_stuff_count: 1,
        _spans: 14,
        _incomplete: 0,
      });
      expect(m.message.short_message).toMatch(/^GET \/api 200 \d+(\.\d)? ms$/);
      expect(m.message._op_some_slow_stuff_min_ms as number).toBeGreaterThanOrEqual(15);
      expect(JSON.parse(m.message.full_message as string).fast_stuff.num_calls).toBe(13);
      await new Promise((r) => setTimeout(r, 100));
      expect(receiver.messages.filter((r) => r.message._trace_id === traceId)).toHaveLength(1);
      expect(processor.gelfStats()).toMatchObject({ sent: 1, dropped: 0, failed: 0 });
    } finally {
      await tracing.shutdown();
    }
  });

  it('marks an error request with level 3 over TCP', async () => {
    const processor = new GraylogSummaryProcessor({
      endpoint: `tcp://127.0.0.1:${receiver.ports.tcp}`,
      scheduledDelayMillis: 10,
    });
    const tracing = setupTracing({ spanProcessors: [processor] });
    try {
      const traceId = await request('POST /orders', true);
      const m = await receiver.waitForMessage((r) => r.message._trace_id === traceId, 10_000);
      expect(m.message).toMatchObject({ level: 3, _status: 'error', _status_message: 'boom' });
      expect(m.message.short_message).toMatch(/^POST \/orders 500 .* \[error\]$/);
    } finally {
      await tracing.shutdown();
    }
  });

  it('reads OTEL_EXPORTER_GELF_ENDPOINT when no endpoint is given', async () => {
    const processor = new GraylogSummaryProcessor({
      env: {
        OTEL_EXPORTER_GELF_ENDPOINT: `udp://127.0.0.1:${receiver.ports.udp}`,
        OTEL_EXPORTER_GELF_HOST: 'env-host',
      },
      scheduledDelayMillis: 10,
    });
    const tracing = setupTracing({ spanProcessors: [processor] });
    try {
      const traceId = await request();
      const m = await receiver.waitForMessage((r) => r.message._trace_id === traceId, 10_000);
      expect(m.message.host).toBe('env-host');
    } finally {
      await tracing.shutdown();
    }
  });

  it('throws one clear error at construction for an invalid configuration', () => {
    expect(() => new GraylogSummaryProcessor({ endpoint: 'foo://x' })).toThrow(
      'GraylogSummaryProcessor: invalid endpoint "foo://x" (expected udp://, tcp://, tls://, http:// or https://)',
    );
    expect(
      () => new GraylogSummaryProcessor({ env: { OTEL_EXPORTER_GELF_CHUNK_SIZE: 'x' } }),
    ).toThrow('GraylogSummaryProcessor: invalid OTEL_EXPORTER_GELF_CHUNK_SIZE "x"');
  });

  describe('when Graylog is unreachable', () => {
    failOnUnhandledErrors();

    async function appKeepsWorking(endpoint: string, extra: object = {}) {
      const processor = new GraylogSummaryProcessor({
        endpoint,
        scheduledDelayMillis: 10,
        timeoutMillis: 500,
        exportTimeoutMillis: 2000,
        maxBufferBytes: 64 * 1024,
        ...extra,
      });
      const tracing = setupTracing({ spanProcessors: [processor] });
      const results = await Promise.all(Array.from({ length: 30 }, () => request()));
      expect(results.every((id) => /^[0-9a-f]{32}$/.test(id))).toBe(true);
      await within(3000, processor.forceFlush());
      await within(5000, tracing.shutdown());
      const stats = processor.gelfStats();
      expect(stats.sent).toBe(0);
      expect(stats.failed + stats.dropped).toBe(30);
      return stats;
    }

    it('TCP refused: every request succeeds, failures are counted', async () => {
      const stats = await appKeepsWorking(`tcp://127.0.0.1:${await freePort()}`);
      expect(stats.errors).toBeGreaterThan(0);
    });

    it('HTTP refused: every request succeeds, failures are counted', async () => {
      await appKeepsWorking(`http://127.0.0.1:${await freePort()}/gelf`);
    });

    it('TLS certificate that does not verify: every request succeeds, failures are counted', async () => {
      const pair = selfSignedCertificate();
      const server = createTlsServer({ cert: pair.cert, key: pair.key }, (s) =>
        s.on('error', () => {}),
      );
      server.on('tlsClientError', () => {});
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      try {
        const { port } = server.address() as { port: number };
        const stats = await appKeepsWorking(`tls://localhost:${port}`);
        expect(stats.errors).toBeGreaterThan(0);
      } finally {
        await new Promise((r) => server.close(r));
      }
    });
  });
});
