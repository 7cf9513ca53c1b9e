/**
 * Zero-code setup: `node --import @otel-gelf/graylog/register app.js` (ESM) or
 * `node --require @otel-gelf/graylog/register app.js` (CommonJS).
 *
 * Registers, globally: a `TracerProvider` (from `@opentelemetry/sdk-trace`, 2.12+ or 3.x) with a
 * {@link GraylogSummaryProcessor} configured from `OTEL_EXPORTER_GELF_*`, the AsyncLocalStorage
 * context manager, the W3C trace context propagator, and a resource from `OTEL_SERVICE_NAME` and
 * `OTEL_RESOURCE_ATTRIBUTES`. Flushes and shuts down on SIGTERM, SIGINT and `beforeExit`.
 *
 * It registers no instrumentation: add the ones you use (http, express, pg …) yourself.
 *
 * A preload that cannot set up tracing must not start the application untraced: with an invalid
 * configuration or a missing optional peer it writes one line to stderr
 * (`@otel-gelf/graylog/register: <what is wrong>`) and ends the process with exit code 1.
 */
import {
  type TracerProvider as ApiTracerProvider,
  context,
  DiagConsoleLogger,
  DiagLogLevel,
  diag,
  propagation,
  trace,
} from '@opentelemetry/api';
// The package's main entry, not a relative import: the built register then loads the one
// GraylogSummaryProcessor class every user of the package sees (instanceof holds in CommonJS too).
import { ConfigurationError, GraylogSummaryProcessor } from '@otel-gelf/graylog';
import { loadOptionalPeer } from './optional-peer.js';
import { resourceAttributesFromEnv } from './resource-from-env.js';
import { TraceparentPropagator } from './traceparent-propagator.js';

interface SdkTraceModule {
  TracerProvider: new (config: {
    resource?: unknown;
    spanProcessors?: unknown[];
  }) => ApiTracerProvider & { shutdown(): Promise<void> };
}
interface ContextAsyncHooksModule {
  AsyncLocalStorageContextManager: new () => {
    enable(): Parameters<typeof context.setGlobalContextManager>[0];
  };
}
interface ResourcesModule {
  resourceFromAttributes(attributes: Record<string, string>): unknown;
}

const PEERS =
  '@opentelemetry/sdk-trace @opentelemetry/context-async-hooks @opentelemetry/resources';
// Generous for a flush on SIGTERM, short enough for an orchestrator's grace period.
const SIGNAL_SHUTDOWN_TIMEOUT_MS = 5000;
const REGISTERED = Symbol.for('@otel-gelf/graylog/register');

function load<T>(name: string): T {
  return loadOptionalPeer<T>(name, '@otel-gelf/graylog/register', PEERS);
}

const LOG_LEVELS: Record<string, DiagLogLevel> = {
  NONE: DiagLogLevel.NONE,
  ERROR: DiagLogLevel.ERROR,
  WARN: DiagLogLevel.WARN,
  INFO: DiagLogLevel.INFO,
  DEBUG: DiagLogLevel.DEBUG,
  VERBOSE: DiagLogLevel.VERBOSE,
  ALL: DiagLogLevel.ALL,
};

/** What the register entry set up. */
export interface Registration {
  /** The span processor sending to Graylog (see its `gelfStats()`). */
  processor: GraylogSummaryProcessor;
  /** Flushes and shuts the tracer provider down; runs once. */
  shutdown(): Promise<void>;
}

/**
 * Sets up tracing; a configuration error (or a missing peer) ends the process with one line on
 * stderr instead of an uncaught error and its stack: the message already says what to fix.
 */
function registerOrExit(): Registration {
  try {
    return register();
  } catch (err) {
    if (!(err instanceof ConfigurationError)) throw err;
    // A preload has no caller to report to; stderr is where `node` itself reports bad flags.
    process.stderr.write(`@otel-gelf/graylog/register: ${err.message}\n`);
    process.exitCode = 1;
    return process.exit();
  }
}

function register(): Registration {
  const globals = globalThis as Record<symbol, Registration | undefined>;
  const existing = globals[REGISTERED];
  if (existing !== undefined) return existing;

  const level = LOG_LEVELS[(process.env.OTEL_LOG_LEVEL ?? '').trim().toUpperCase()];
  if (level !== undefined) diag.setLogger(new DiagConsoleLogger(), level);

  const { TracerProvider } = load<SdkTraceModule>('@opentelemetry/sdk-trace');
  const { AsyncLocalStorageContextManager } = load<ContextAsyncHooksModule>(
    '@opentelemetry/context-async-hooks',
  );
  const { resourceFromAttributes } = load<ResourcesModule>('@opentelemetry/resources');

  const processor = new GraylogSummaryProcessor();
  const provider = new TracerProvider({
    resource: resourceFromAttributes(resourceAttributesFromEnv(process.env)),
    spanProcessors: [processor],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new TraceparentPropagator());
  trace.setGlobalTracerProvider(provider);

  let done: Promise<void> | undefined;
  const shutdown = (): Promise<void> => {
    done ??= provider.shutdown().catch((err: unknown) => {
      diag.error('@otel-gelf/graylog/register: shutdown failed', err);
    });
    return done;
  };

  const onSignal = (signal: NodeJS.Signals): void => {
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGINT', onSignal);
    const timer = setTimeout(reraise, SIGNAL_SHUTDOWN_TIMEOUT_MS);
    shutdown().then(reraise, reraise);
    let raised = false;
    function reraise(): void {
      if (raised) return;
      raised = true;
      clearTimeout(timer);
      // With no other listener left, the signal's default action ends the process as it would
      // have without us; if the application listens too, it decides.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    }
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  process.once('beforeExit', () => {
    void shutdown();
  });

  const registration = { processor, shutdown };
  globals[REGISTERED] = registration;
  return registration;
}

/** The registration made when this module was loaded. */
export const registration: Registration = registerOrExit();
