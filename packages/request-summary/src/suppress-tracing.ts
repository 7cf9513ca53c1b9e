import { type Context, createContextKey } from '@opentelemetry/api';

/**
 * The key `@opentelemetry/core` uses. `createContextKey` is `Symbol.for(description)`, so this is
 * the very same key as the SDK's, without depending on `@opentelemetry/core` (whose majors follow
 * the SDK's Node engines).
 */
const SUPPRESS_TRACING_KEY = createContextKey('OpenTelemetry SDK Context Key SUPPRESS_TRACING');

/** `context` with tracing suppressed: the SDK creates non-recording spans under it. */
export function suppressTracing(context: Context): Context {
  return context.setValue(SUPPRESS_TRACING_KEY, true);
}
