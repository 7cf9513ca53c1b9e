import { validateGelf } from '@otel-gelf/gelf-tail';
import type { RequestSummary, SummaryAttributeValue } from '@otel-gelf/request-summary';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FieldBudget, OPERATION_STATISTICS } from '../src/gelf-plan.js';
import { toGelf, toGelfPayload } from '../src/to-gelf.js';
import { summary } from './summaries.js';

const anyText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 300 }),
);
const duration = fc.oneof(
  { weight: 8, arbitrary: fc.double({ min: 0, max: 1e7, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(Number.NaN, Infinity, 0, 1e-9) },
);
const attributeValue: fc.Arbitrary<SummaryAttributeValue> = fc.oneof(
  anyText,
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.array(fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.boolean()), { maxLength: 5 }),
  // long values: repeated text of 1 to 4 UTF-8 bytes per character, over the 32 766-byte limit
  fc
    .tuple(fc.constantFrom('a', 'é', '€', '😀', 'a€'), fc.integer({ min: 9000, max: 40_000 }))
    .map(([unit, n]) => unit.repeat(n)),
);
const attributes = fc.dictionary(anyText, attributeValue, { maxKeys: 8 });
const operation = fc.record({
  name: anyText,
  count: fc.integer({ min: 1, max: 10_000 }),
  minMs: duration,
  maxMs: duration,
  sumMs: duration,
  lastMs: fc.array(duration, { maxLength: 5 }),
  errors: fc.integer({ min: 0, max: 10 }),
});
const requestSummary: fc.Arbitrary<RequestSummary> = fc.record({
  traceId: fc.stringMatching(/^[0-9a-f]{32}$/),
  spanId: fc.stringMatching(/^[0-9a-f]{16}$/),
  name: anyText,
  kind: fc.integer({ min: 0, max: 4 }),
  startTimeMs: fc.double({ min: 0, max: 4e12, noNaN: true }),
  durationMs: duration,
  status: fc.record(
    { code: fc.constantFrom(0 as const, 1 as const, 2 as const), message: anyText },
    { requiredKeys: ['code'] },
  ),
  attributes,
  resource: attributes,
  // unique names, as the processor keys operations by name
  operations: fc.uniqueArray(operation, { maxLength: 120, selector: (o) => o.name }),
  annotations: fc.dictionary(anyText, fc.oneof(anyText, fc.double(), fc.integer(), fc.boolean()), {
    maxKeys: 40,
  }),
  counters: fc.record({
    spans: fc.nat(),
    folded: fc.nat(),
    openChildren: fc.nat(),
    droppedAnnotations: fc.nat(),
  }),
  incomplete: fc.boolean(),
});

const UDP_MAX = 128 * (1420 - 12);
const base = summary();

describe('toGelf (properties)', () => {
  it('always produces valid GELF 1.1 with bounded names and values', () => {
    fc.assert(
      fc.property(requestSummary, (s) => {
        const m = toGelf(s, { host: 'h' }) as unknown as Record<string, unknown>;
        expect(validateGelf(m)).toEqual([]);
        for (const [k, v] of Object.entries(m)) {
          if (k.startsWith('_')) {
            expect(k).toMatch(/^_[A-Za-z0-9_-]*$/);
            expect(k.length).toBeLessThanOrEqual(128);
            expect(k).not.toBe('_id');
          }
          if (typeof v === 'string') {
            expect(Buffer.byteLength(v)).toBeLessThanOrEqual(32_766);
          } else if (typeof v === 'number') {
            expect(Number.isFinite(v)).toBe(true);
          }
        }
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 150) },
    );
  });

  it('writes numbers exactly as rounding and String() would (µs, ms timestamps, tenths)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e12, noNaN: true }),
        // 2000-01-01 to 2100-01-01, the timestamps a message carries
        fc.double({ min: 946_684_800_000, max: 4_102_444_799_999, noNaN: true }),
        fc.array(fc.double({ min: 0, max: 1e9, noNaN: true }), { minLength: 1, maxLength: 5 }),
        (durationMs, startTimeMs, lastMs) => {
          const op = {
            name: 'op',
            count: 1,
            minMs: lastMs[0]!,
            maxMs: 0,
            sumMs: 0,
            lastMs,
            errors: 0,
          };
          const s = { ...base, durationMs, startTimeMs, attributes: {}, operations: [op] };
          const budget = new FieldBudget({ operationFields: OPERATION_STATISTICS.map(([n]) => n) });
          const m = toGelf(s, { host: 'h', budget }) as unknown as Record<string, unknown>;
          const us = (x: number) => Math.round(x * 1000) / 1000;
          // always with a fraction, so Graylog maps the field as floating point
          const text = (x: number) => (Number.isInteger(us(x)) ? `${us(x)}.0` : String(us(x)));
          expect(m._duration_ms).toBe(us(durationMs));
          expect(m.timestamp).toBe(Math.round(startTimeMs) / 1000);
          expect(m._op_op_min_ms).toBe(us(lastMs[0]!));
          expect(m._op_op_last_ms).toBe(lastMs.map(text).join(','));
          expect(m.short_message).toBe(`${s.name} ${String(Math.round(durationMs * 10) / 10)} ms`);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('keeps the UDP payload within 128 chunks of 1420 bytes', () => {
    fc.assert(
      fc.property(requestSummary, (s) => {
        const payload = toGelfPayload(s, { host: 'h', maxBytes: UDP_MAX });
        expect(payload).toBeDefined();
        expect(payload!.length).toBeLessThanOrEqual(UDP_MAX);
        expect(validateGelf(JSON.parse(payload!.toString('utf8')))).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });

  it('respects any budget it can meet, and meets every budget of 8 KiB or more', () => {
    fc.assert(
      fc.property(requestSummary, fc.integer({ min: 300, max: 200_000 }), (s, maxBytes) => {
        const payload = toGelfPayload(s, { host: 'h', maxBytes });
        if (maxBytes >= 8192) expect(payload).toBeDefined();
        if (payload !== undefined) {
          expect(payload.length).toBeLessThanOrEqual(maxBytes);
          const m = JSON.parse(payload.toString('utf8'));
          expect(validateGelf(m)).toEqual([]);
          expect(m._trace_id).toBe(s.traceId);
        }
      }),
      { numRuns: 100 },
    );
  });
});
