/**
 * Zero-code setup: `node --import @otel-gelf/graylog/register app.js` (ESM) or
 * `node --require @otel-gelf/graylog/register app.js` (CommonJS).
 *
 * Registers, globally: a `TracerProvider` (from `@opentelemetry/sdk-trace`, 2.12+ or 3.x) with a
 * {@link GraylogSummaryProcessor} configured from `OTEL_EXPORTER_GELF_*`, the sampler of
 * `OTEL_TRACES_SAMPLER`/`_ARG` inside `createAlwaysRecordSampler` (every request summarised), the
 * AsyncLocalStorage context manager, the W3C trace-context and baggage propagators of
 * `@opentelemetry/core`, and the resource `@opentelemetry/resources` detects from
 * `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES`. Flushes and shuts down on SIGTERM, SIGINT
 * and `beforeExit`. Loaded with `--import`, it also registers the OpenTelemetry ESM loader hook
 * when `@opentelemetry/instrumentation` is installed, so instrumentations loaded later patch ES
 * modules (express) too.
 *
 * It does nothing with `OTEL_SDK_DISABLED=true`, and leaves an already registered tracer provider
 * in place, saying so once (diag and one stderr line naming the NodeSDK one-liner).
 *
 * It registers no instrumentation: add the ones you use (http, express, pg …) yourself.
 *
 * A preload that cannot set up tracing must not start the application untraced: with an invalid
 * configuration or a missing optional peer it writes one line to stderr
 * (`@otel-gelf/graylog/register: <what is wrong>`) and ends the process with exit code 1.
 */
import * as module_ from 'node:module';
import { pathToFileURL } from 'node:url';
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
import { loadOptionalPeer, resolveIfInstalled } from './optional-peer.js';
import { existingTracerProvider, watchLaterRegistrations } from './registered-provider.js';
import { type SamplerClasses, type SdkSampler, samplerFromEnv } from './sampler-from-env.js';

interface SdkTraceModule extends SamplerClasses {
  TracerProvider: new (config: {
    resource?: unknown;
    sampler?: SdkSampler;
    spanProcessors?: unknown[];
  }) => ApiTracerProvider & { shutdown(): Promise<void> };
}
interface ContextAsyncHooksModule {
  AsyncLocalStorageContextManager: new () => {
    enable(): Parameters<typeof context.setGlobalContextManager>[0];
  };
}
interface Resource {
  merge(other: Resource): Resource;
}
interface ResourcesModule {
  defaultResource(): Resource;
  detectResources(config: { detectors: unknown[] }): Resource;
  envDetector: unknown;
}
interface CoreModule {
  CompositePropagator: new (config: {
    propagators: unknown[];
  }) => Parameters<typeof propagation.setGlobalPropagator>[0];
  W3CTraceContextPropagator: new () => unknown;
  W3CBaggagePropagator: new () => unknown;
}

const PEERS =
  '@opentelemetry/sdk-trace @opentelemetry/context-async-hooks @opentelemetry/resources @opentelemetry/core';
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

/** What the register entry set up (`undefined` when it set up nothing: see {@link registration}). */
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
function registerOrExit(): Registration | undefined {
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

/** One line on stderr and the same through diag: a preload's only way to reach the user. */
function say(message: string): void {
  diag.warn(`@otel-gelf/graylog/register: ${message}`);
  process.stderr.write(`@otel-gelf/graylog/register: ${message}\n`);
}

const ONE_LINER =
  'add the processor to it instead: new NodeSDK({ spanProcessors: [new GraylogSummaryProcessor()], … })';

function register(): Registration | undefined {
  const globals = globalThis as Record<symbol, Registration | undefined>;
  const existing = globals[REGISTERED];
  if (existing !== undefined) return existing;

  const level = LOG_LEVELS[(process.env.OTEL_LOG_LEVEL ?? '').trim().toUpperCase()];
  if (level !== undefined) diag.setLogger(new DiagConsoleLogger(), level);

  // As the SDK does: the switch turns tracing off without removing the preload.
  if (process.env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') {
    diag.info('@otel-gelf/graylog/register: OTEL_SDK_DISABLED=true; nothing registered');
    return undefined;
  }
  // Replacing a provider the application set up would silently cut its exporter off.
  if (existingTracerProvider()) {
    say(
      `a tracer provider is already registered (NodeSDK?); it is left as it is, and ${ONE_LINER}`,
    );
    return undefined;
  }

  const sdk = load<SdkTraceModule>('@opentelemetry/sdk-trace');
  const { AsyncLocalStorageContextManager } = load<ContextAsyncHooksModule>(
    '@opentelemetry/context-async-hooks',
  );
  const resources = load<ResourcesModule>('@opentelemetry/resources');
  const core = load<CoreModule>('@opentelemetry/core');
  const sampler = samplerFromEnv(process.env, sdk);

  const processor = new GraylogSummaryProcessor();
  const provider = new sdk.TracerProvider({
    resource: resources
      .defaultResource()
      .merge(resources.detectResources({ detectors: [resources.envDetector] })),
    sampler,
    spanProcessors: [processor],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(
    new core.CompositePropagator({
      propagators: [new core.W3CTraceContextPropagator(), new core.W3CBaggagePropagator()],
    }),
  );
  trace.setGlobalTracerProvider(provider);
  watchLaterRegistrations(() =>
    say(
      `another tracer provider (NodeSDK?) tried to register after this one and @opentelemetry/api refused it, so its exporters get no spans; drop --import @otel-gelf/graylog/register and ${ONE_LINER}`,
    ),
  );
  registerEsmLoaderHook();

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
    const timer = setTimeout(onDeadline, SIGNAL_SHUTDOWN_TIMEOUT_MS);
    shutdown().then(reraise, reraise);
    let raised = false;
    function onDeadline(): void {
      // The process ends with these: say how many, since no counter will outlive it.
      const s = processor.stats();
      const left = s.queued + s.exporting;
      if (left > 0) {
        diag.warn(
          `@otel-gelf/graylog/register: ${signal}: ${left} summaries not delivered (still queued or being exported after ${SIGNAL_SHUTDOWN_TIMEOUT_MS} ms; Graylog slow or away)`,
        );
      }
      reraise();
    }
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

/**
 * Registers the OpenTelemetry ESM loader hook when `@opentelemetry/instrumentation` is
 * installed and this is the ES module build (`--import`): without it, instrumentations loaded
 * by a later `--import` patch CommonJS modules only, so an ESM application's express is not
 * traced. CommonJS (`--require`) needs no hook.
 */
function registerEsmLoaderHook(): void {
  if (typeof require === 'function' || typeof module_.register !== 'function') return;
  const hook = resolveIfInstalled('@opentelemetry/instrumentation/hook.mjs');
  if (hook !== undefined) module_.register(pathToFileURL(hook));
}

/**
 * The registration made when this module was loaded; `undefined` when it set up nothing
 * (`OTEL_SDK_DISABLED=true`, or a tracer provider was registered already).
 */
export const registration: Registration | undefined = registerOrExit();
