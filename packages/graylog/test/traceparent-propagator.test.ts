import {
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { TraceparentPropagator } from '../src/traceparent-propagator.js';

const propagator = new TraceparentPropagator();
const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const SPAN_ID = 'b7ad6b7169203331';

function extract(headers: Record<string, string | string[]>) {
  return trace.getSpanContext(propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter));
}

describe('TraceparentPropagator', () => {
  it('extracts a valid traceparent and tracestate as a remote parent', () => {
    const sc = extract({ traceparent: `00-${TRACE_ID}-${SPAN_ID}-01`, tracestate: 'a=1,b=2' });
    expect(sc).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1, isRemote: true });
    expect(sc?.traceState?.get('b')).toBe('2');
  });

  it.each([
    ['garbage'],
    [`00-${TRACE_ID}-${SPAN_ID}-01-extra`],
    [`ff-${TRACE_ID}-${SPAN_ID}-01`],
    [`00-${'0'.repeat(32)}-${SPAN_ID}-01`],
    [`00-${TRACE_ID}-${'0'.repeat(16)}-01`],
    [`00-${TRACE_ID.toUpperCase()}-${SPAN_ID}-01`],
  ])('ignores the invalid traceparent %s', (traceparent) => {
    expect(extract({ traceparent })).toBeUndefined();
  });

  it('accepts a future version with extra fields', () => {
    expect(extract({ traceparent: `01-${TRACE_ID}-${SPAN_ID}-00-more` })?.traceFlags).toBe(0);
  });

  it('injects traceparent and tracestate', () => {
    const parent = propagator.extract(
      ROOT_CONTEXT,
      { traceparent: `00-${TRACE_ID}-${SPAN_ID}-01`, tracestate: 'k=v' },
      defaultTextMapGetter,
    );
    const carrier: Record<string, string> = {};
    propagator.inject(parent, carrier, defaultTextMapSetter);
    expect(carrier).toEqual({ traceparent: `00-${TRACE_ID}-${SPAN_ID}-01`, tracestate: 'k=v' });
  });

  it('injects nothing without a valid span context', () => {
    const carrier: Record<string, string> = {};
    propagator.inject(context.active(), carrier, defaultTextMapSetter);
    const invalid = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '0'.repeat(32),
      spanId: SPAN_ID,
      traceFlags: TraceFlags.NONE,
    });
    propagator.inject(invalid, carrier, defaultTextMapSetter);
    expect(carrier).toEqual({});
    expect(propagator.fields()).toEqual(['traceparent', 'tracestate']);
  });
});
