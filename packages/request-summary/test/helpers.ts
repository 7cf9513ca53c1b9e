import { spawn } from 'node:child_process';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import {
  context,
  type DiagLogger,
  DiagLogLevel,
  diag,
  type HrTime,
  type Span,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import {
  createSimpleSpanProcessor,
  createTracerProvider,
  ExpressInstrumentation,
  HttpInstrumentation,
  InMemorySpanExporter,
  registerInstrumentations,
  requireFromSdk,
  type SpanProcessor,
  setupTracing,
} from '@otel-gelf-internal/sdk';
import { afterAll, afterEach, beforeAll, beforeEach, type Mock, vi } from 'vitest';
import {
  InMemorySummaryExporter,
  RequestSummaryProcessor,
  type RequestSummaryProcessorOptions,
} from '../src/index.js';

/**
 * A provider (not global) with the processor under test and an InMemorySpanExporter beside it.
 * Every local root counts as a request here (whatever its kind), unless a test passes its own
 * `isRequestRoot`: these tests are about what happens inside a request; the default rule has its
 * own tests (request-root.test.ts).
 */
export function setup(options: Partial<RequestSummaryProcessorOptions> = {}) {
  const exporter = new InMemorySummaryExporter();
  const processor = new RequestSummaryProcessor({
    exporter,
    isRequestRoot: () => true,
    ...options,
  });
  const spanExporter = new InMemorySpanExporter();
  const provider = createTracerProvider({
    spanProcessors: [processor, createSimpleSpanProcessor(spanExporter)],
    resource: { 'service.name': 'test-service', 'service.version': '1.2.3', secret: 'no' },
  });
  const tracer = provider.getTracer('test');
  return {
    exporter,
    processor,
    spanExporter,
    provider,
    tracer,
    async flush() {
      await processor.forceFlush();
      return exporter.getFinishedSummaries();
    },
    async close() {
      await provider.shutdown();
    },
  };
}

/** Starts a span under `parent` (or as a root) without a context manager. */
export function child(tracer: Tracer, name: string, parent?: Span, startMs?: number): Span {
  const ctx = parent === undefined ? context.active() : trace.setSpan(context.active(), parent);
  return tracer.startSpan(name, startMs === undefined ? {} : { startTime: startMs }, ctx);
}

/** Whole seconds since the epoch that {@link at} counts from. */
const EPOCH_S = 1_764_000_000;

/**
 * `ms` after a fixed whole second, as an HrTime: the SDK takes an HrTime as it is, so durations
 * and self times of spans started and ended `at(…)` come out exact.
 */
export function at(ms: number): HrTime {
  const ns = Math.round(ms * 1e6);
  const s = Math.floor(ns / 1e9);
  return [EPOCH_S + s, ns - s * 1e9];
}

export type Harness = ReturnType<typeof setup>;

/**
 * Registers an afterEach that closes the harness made by the returned `open` (and puts real
 * timers back), so a failing test leaks no provider.
 */
export function useHarness(): (options?: Partial<RequestSummaryProcessorOptions>) => Harness {
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
    vi.useRealTimers();
  });
  return (options = {}) => {
    harness = setup(options);
    return harness;
  };
}

export type DiagSpy = { [K in keyof DiagLogger]: Mock };

/**
 * A diag logger of spies at level ALL, installed (with its calls cleared) before each test and
 * removed after it. Call it before {@link useHarness} so that the harness closes first.
 */
export function spyOnDiag(): DiagSpy {
  const logger: DiagSpy = {
    error: vi.fn(),
    warn: vi.fn(),
    info: vi.fn(),
    debug: vi.fn(),
    verbose: vi.fn(),
  };
  beforeEach(() => {
    for (const fn of Object.values(logger)) fn.mockReset();
    diag.setLogger(logger as unknown as DiagLogger, DiagLogLevel.ALL);
  });
  afterEach(() => {
    diag.disable();
  });
  return logger;
}

/**
 * Runs `test/fixtures/<name>` in a child Node (through tsx, from the repo root) and collects its
 * output; `code` is a message instead when it is still running after `timeoutMs` (then killed).
 */
export function runFixture(
  name: string,
  nodeFlags: readonly string[] = [],
  timeoutMs = 15_000,
): Promise<{ code: number | string; out: string; err: string }> {
  const root = resolve(import.meta.dirname, '..', '..', '..');
  const fixture = resolve(import.meta.dirname, 'fixtures', name);
  const proc = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', fixture], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d) => {
    out += d;
  });
  proc.stderr.on('data', (d) => {
    err += d;
  });
  return new Promise((done) => {
    const guard = setTimeout(() => {
      proc.kill('SIGKILL');
      done({ code: `still running after ${timeoutMs / 1000} s`, out, err });
    }, timeoutMs);
    proc.on('exit', (c) => {
      clearTimeout(guard);
      done({ code: c ?? -1, out, err });
    });
  });
}

/** `node:http` and `express` as the instrumentations patched them (see {@link useInstrumentedHttp}). */
export interface InstrumentedHttp {
  http: typeof import('node:http');
  /** Loaded through the SDK line's require, untyped (as the tests had it). */
  express: any;
}

/**
 * Registers, for the file's tests, a global tracer provider with `spanProcessors` and the real
 * http and express instrumentations, and loads `node:http` and `express` after them so that the
 * require hooks patch them; undone after the file. The test's own outgoing calls are left
 * untraced (they would be CLIENT roots of their own).
 */
export function useInstrumentedHttp(spanProcessors: SpanProcessor[]): InstrumentedHttp {
  const loaded = {} as InstrumentedHttp;
  let tracing: ReturnType<typeof setupTracing>;
  let unregister: () => void;
  beforeAll(() => {
    tracing = setupTracing({ spanProcessors });
    unregister = registerInstrumentations({
      tracerProvider: tracing.provider,
      instrumentations: [
        new HttpInstrumentation({ ignoreOutgoingRequestHook: () => true }),
        new ExpressInstrumentation(),
      ],
    });
    loaded.http = requireFromSdk('node:http') as InstrumentedHttp['http'];
    loaded.express = requireFromSdk('express');
  });
  afterAll(async () => {
    unregister();
    await tracing.shutdown();
  });
  return loaded;
}

/** Starts `server` on a free loopback port; its base URL. */
export async function listen(server: Server): Promise<string> {
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Stops `server`, keep-alive connections included. */
export async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((done) => server.close(() => done()));
}
