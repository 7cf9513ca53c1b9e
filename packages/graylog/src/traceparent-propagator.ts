import {
  type Context,
  createTraceState,
  isSpanContextValid,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  trace,
} from '@opentelemetry/api';

const TRACEPARENT = 'traceparent';
const TRACESTATE = 'tracestate';
// version-traceid-spanid-flags; a future version may append fields after a dash.
const TRACEPARENT_FORMAT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The W3C Trace Context propagator (`traceparent` and `tracestate` headers), so the zero-code
 * `register` entry needs no `@opentelemetry/core` (whose majors follow the SDK's engines).
 */
export class TraceparentPropagator implements TextMapPropagator {
  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const span = trace.getSpanContext(context);
    if (span === undefined || !isSpanContextValid(span)) return;
    const flags = (span.traceFlags & 0xff).toString(16).padStart(2, '0');
    setter.set(carrier, TRACEPARENT, `00-${span.traceId}-${span.spanId}-${flags}`);
    const state = span.traceState?.serialize();
    if (state !== undefined && state !== '') setter.set(carrier, TRACESTATE, state);
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const header = first(getter.get(carrier, TRACEPARENT))?.trim();
    if (header === undefined) return context;
    const match = TRACEPARENT_FORMAT.exec(header);
    if (match === null) return context;
    const [, version, traceId, spanId, flags, rest] = match;
    // Version ff is invalid; version 00 has exactly four fields.
    if (version === 'ff' || (version === '00' && rest !== undefined)) return context;
    const spanContext = {
      traceId: traceId!,
      spanId: spanId!,
      traceFlags: Number.parseInt(flags!, 16),
      isRemote: true,
      traceState: undefined as ReturnType<typeof createTraceState> | undefined,
    };
    if (!isSpanContextValid(spanContext)) return context;
    const state = getter.get(carrier, TRACESTATE);
    const stateText = Array.isArray(state) ? state.join(',') : state;
    if (stateText !== undefined && stateText !== '')
      spanContext.traceState = createTraceState(stateText);
    return trace.setSpanContext(context, spanContext);
  }

  fields(): string[] {
    return [TRACEPARENT, TRACESTATE];
  }
}
