import { trace } from '@opentelemetry/api';

// Where every copy of @opentelemetry/api 1.x keeps its globals; a `trace` entry exists once any
// tracer provider was registered (the API has no public question for this).
const API_GLOBALS = Symbol.for('opentelemetry.js.api.1');

/** Whether a tracer provider is registered globally already (by NodeSDK or the application). */
export function existingTracerProvider(): boolean {
  const globals = (globalThis as Record<symbol, { trace?: unknown } | undefined>)[API_GLOBALS];
  return globals?.trace !== undefined;
}

/**
 * Calls `onRefused` once when a later `trace.setGlobalTracerProvider` is refused because ours
 * holds the place (e.g. `--import register` before an instrumentation file that starts NodeSDK),
 * so the user learns why that SDK's exporters receive nothing. The call itself is unchanged.
 */
export function watchLaterRegistrations(onRefused: () => void): void {
  const original = trace.setGlobalTracerProvider;
  let said = false;
  trace.setGlobalTracerProvider = function setGlobalTracerProvider(provider) {
    const accepted = original.call(this, provider);
    if (!accepted && !said) {
      said = true;
      onRefused();
    }
    return accepted;
  };
}
