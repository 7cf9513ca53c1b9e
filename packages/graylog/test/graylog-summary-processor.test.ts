import { once } from 'node:events';
import { createServer as createTlsServer } from 'node:tls';
import { type DiagLogger, DiagLogLevel, diag, SpanStatusCode, trace } from '@opentelemetry/api';
import { createGelfReceiver, type GelfReceiver } from '@otel-gelf/gelf-tail';
import { resetGlobals, setupTracing } from '@otel-gelf-internal/sdk';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigurationError } from '../src/configuration-error.js';
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
      expect(m.message._op_some_slow_stuff_max_ms as number).toBeGreaterThanOrEqual(15);
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

  /** The message of the error construction throws (fails the test when it does not throw). */
  function constructionError(options: object): Error {
    try {
      const processor = new GraylogSummaryProcessor(options as never);
      void processor.shutdown();
    } catch (err) {
      return err as Error;
    }
    throw new Error(`${JSON.stringify(options)} was accepted`);
  }

  it.each([
    [{ samples: -1 }, 'samples: -1 is not an integer from 0 to 1000'],
    [{ maxQueueSize: 'x' }, 'maxQueueSize: "x" is not a number'],
    [{ filter: 5 }, 'filter: 5 is not a function'],
    [{ sampleRatio: 7 }, 'sampleRatio: 7 is not a number from 0 to 1'],
    [{ errorsOnly: 'true' }, 'errorsOnly: "true" is not a boolean'],
    [{ waitForOpenChildren: 1 }, 'waitForOpenChildren: 1 is not a boolean'],
  ])('refuses the invalid processor option %j instead of clamping it', (options, problem) => {
    const err = constructionError(options);
    expect(err).toBeInstanceOf(ConfigurationError);
    expect(err.message).toBe(`GraylogSummaryProcessor: ${problem}`);
  });

  it('refuses an unknown option key, suggesting the nearest one', () => {
    expect(constructionError({ endpiont: 'udp://typo:1' }).message).toBe(
      'GraylogSummaryProcessor: unknown option "endpiont" (did you mean "endpoint"?)',
    );
    expect(constructionError({ smaples: 3 }).message).toContain('(did you mean "samples"?)');
    expect(constructionError({ colour: 'red' }).message).toBe(
      'GraylogSummaryProcessor: unknown option "colour"',
    );
    expect(constructionError({ exporter: { export() {} } }).message).toContain(
      'option "exporter" cannot be given',
    );
    expect(constructionError(null as never).message).toBe(
      'GraylogSummaryProcessor: invalid options null (expected an object)',
    );
  });

  it('lists GELF and processor problems together in one error', () => {
    const err = constructionError({ endpiont: 'x', chunkSize: '1420', samples: -1, filter: 5 });
    expect(err).toBeInstanceOf(ConfigurationError);
    expect(err.message).toBe(
      'GraylogSummaryProcessor: 4 problems: unknown option "endpiont" (did you mean "endpoint"?); ' +
        'invalid chunkSize "1420" (expected an integer from 256 to 65507); ' +
        'samples: -1 is not an integer from 0 to 1000; filter: 5 is not a function',
    );
  });

  it('accepts every documented option with a valid value', async () => {
    const processor = new GraylogSummaryProcessor({
      endpoint: `udp://127.0.0.1:${receiver.ports.udp}`,
      host: 'h',
      transport: 'native',
      compression: 'none',
      chunkSize: 8154,
      timeoutMillis: 1000,
      maxInFlight: 10,
      maxBufferBytes: 1024,
      env: {},
      samples: 3,
      operationKey: (span) => span.name,
      attributeAllowlist: ['http.route'],
      resourceAttributeAllowlist: ['service.name'],
      waitForOpenChildren: false,
      maxOpenRequests: 10,
      maxOperations: 10,
      requestTimeoutMs: 1000,
      maxQueueSize: 10,
      exportBatchSize: 5,
      scheduledDelayMillis: 10,
      exportTimeoutMillis: 1000,
      minDurationMs: 0,
      errorsOnly: false,
      sampleRatio: 0.5,
      filter: () => true,
    });
    await processor.shutdown();
    expect(processor.gelfStats().sent).toBe(0);
  });

  describe('tls given for an endpoint without TLS', () => {
    let warnings: string[];
    beforeEach(() => {
      warnings = [];
      const record = (message: string) => warnings.push(message);
      const logger: DiagLogger = {
        error: record,
        warn: record,
        info: () => {},
        debug: () => {},
        verbose: () => {},
      };
      diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
    });
    afterEach(() => diag.disable());

    it.each(['udp://127.0.0.1:1', 'http://127.0.0.1:1'])(
      'is ignored with one warning for %s',
      async (endpoint) => {
        const processor = new GraylogSummaryProcessor({
          endpoint,
          tls: { rejectUnauthorized: false },
        });
        await processor.shutdown();
        expect(warnings).toEqual([
          `GraylogSummaryProcessor: option tls is ignored for "${endpoint}" (only tls:// and https:// endpoints use it)`,
        ]);
      },
    );

    it('is not warned about for tls://', async () => {
      const processor = new GraylogSummaryProcessor({
        endpoint: `tls://127.0.0.1:${await freePort()}`,
        tls: { rejectUnauthorized: true },
      });
      await processor.shutdown();
      expect(warnings).toEqual([]);
    });
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
