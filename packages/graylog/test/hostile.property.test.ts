import { type Attributes, context, trace } from '@opentelemetry/api';
import { validateGelf } from '@otel-gelf/gelf-tail';
import {
  InMemorySummaryExporter,
  type OperationSummary,
  type RequestSummary,
  RequestSummaryProcessor,
} from '@otel-gelf/request-summary';
import { createTracerProvider } from '@otel-gelf-internal/sdk';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveGelfConfig } from '../src/config.js';
import { ConfigurationError } from '../src/configuration-error.js';
import { isReservedName } from '../src/field-names.js';
import {
  DEFAULT_MAX_FIELD_NAMES,
  FieldBudget,
  MAX_FIELD_NAMES,
  OPERATION_STATISTICS,
} from '../src/gelf-plan.js';
import { toGelfPayload } from '../src/to-gelf.js';

const RUNS = Number(process.env.FC_RUNS ?? 40);
const UDP_MAX = 128 * (1420 - 12);

/** Text as hostile input brings it: ids, SQL, control characters, astral planes, long runs. */
const hostileText = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 80 }),
  fc.constantFrom('', ' ', '_other', '_id', '_source', 'gl2_source_input', 'id', 'message', '\x1c'),
  fc.nat().map((n) => `SELECT * FROM t WHERE id = ${n}`),
  fc.uuid().map((u) => `GET /users/${u}`),
  fc.integer({ min: 200, max: 3000 }).map((n) => 'x'.repeat(n)),
);
const attributeValue = fc.oneof(
  hostileText,
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.array(fc.oneof(fc.string({ maxLength: 8 }), fc.double(), fc.boolean()), { maxLength: 4 }),
);
/** Start times in ms: sane ones, and the impossible (negative, beyond year 5138, NaN-ish). */
const startMs = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 1_500_000_000_000, max: 2_000_000_000_000 }) },
  { weight: 1, arbitrary: fc.constantFrom(0, 1, -1e12, 1e14, 2e17) },
);
const durationMs = fc.oneof(
  fc.double({ min: 0, max: 1e6, noNaN: true }),
  fc.constantFrom(0, 1e-9, 1e9),
);
const childSpan = fc.record({ name: hostileText, durationMs, error: fc.boolean() });
const request = fc.record({
  name: hostileText,
  startMs,
  durationMs,
  attributes: fc.dictionary(hostileText, attributeValue, { maxKeys: 6 }),
  children: fc.array(childSpan, { maxLength: 25 }),
});
/** operationKey as users write it, some of them broken: a number, an object, a throw. */
const operationKey = fc.constantFrom<undefined | ((span: { name: string }) => string | undefined)>(
  undefined,
  (span) => span.name.slice(0, 10),
  (span) => (span.name.length % 3 === 0 ? (span.name.length as never) : span.name),
  (span) => (span.name.length % 4 === 0 ? ({} as never) : span.name),
  (span) => {
    if (span.name.length % 5 === 0) throw new Error('bad key');
    return span.name;
  },
);

/** The summaries a real processor makes of `requests` (every attribute key allowlisted). */
async function summarise(
  requests: Array<typeof request extends fc.Arbitrary<infer T> ? T : never>,
  key: (typeof operationKey extends fc.Arbitrary<infer T> ? T : never) | undefined,
): Promise<{ summaries: RequestSummary[]; processor: RequestSummaryProcessor }> {
  const exporter = new InMemorySummaryExporter();
  const allow = new Set<string>();
  for (const r of requests) for (const k of Object.keys(r.attributes)) allow.add(k);
  const processor = new RequestSummaryProcessor({
    exporter,
    attributeAllowlist: [...allow],
    operationKey: key as never,
  });
  const provider = createTracerProvider({ spanProcessors: [processor] });
  const tracer = provider.getTracer('property');
  for (const r of requests) {
    const root = tracer.startSpan(r.name, {
      startTime: r.startMs,
      // mixed arrays too: what a careless instrumentation may set
      attributes: r.attributes as Attributes,
      kind: 1,
    });
    const ctx = trace.setSpan(context.active(), root);
    for (const c of r.children) {
      const span = tracer.startSpan(c.name, { startTime: r.startMs }, ctx);
      if (c.error) span.setStatus({ code: 2 });
      span.end(r.startMs + c.durationMs);
    }
    root.end(r.startMs + r.durationMs);
  }
  await processor.forceFlush();
  const summaries = exporter.getFinishedSummaries();
  await provider.shutdown();
  return { summaries, processor };
}

/** Each additional field's raw JSON token: a string, an integer or a floating-point number. */
function fieldKinds(payload: string): Map<string, 'string' | 'integer' | 'float'> {
  const kinds = new Map<string, 'string' | 'integer' | 'float'>();
  // Inside full_message every quote is escaped, so `"_name":` only matches a real field.
  for (const m of payload.matchAll(/"(_[A-Za-z0-9_-]*)":("(?:[^"\\]|\\.)*"|[^,}]*)/g)) {
    const token = m[2]!;
    kinds.set(m[1]!, token.startsWith('"') ? 'string' : /[.eE]/.test(token) ? 'float' : 'integer');
  }
  return kinds;
}

/** An operation called once, for 1 ms. */
function oneCall(name: string): OperationSummary {
  return { name, count: 1, minMs: 1, maxMs: 1, sumMs: 1, lastMs: [1], errors: 0 };
}

describe('toGelf over hostile input (properties)', () => {
  it('every message of a real processor is valid GELF within the budget, size and type rules', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(request, { minLength: 1, maxLength: 12 }),
        operationKey,
        async (requests, key) => {
          const { summaries, processor } = await summarise(requests, key);
          // Every ended request is summarised: a broken operationKey costs spans, not messages.
          expect(summaries).toHaveLength(requests.length);
          const budget = new FieldBudget();
          const names = new Map<string, string>();
          for (const s of summaries) {
            expect(s.startTimeMs).toBeGreaterThanOrEqual(946_684_800_000);
            const payload = toGelfPayload(s, { host: 'web-1', maxBytes: UDP_MAX, budget });
            expect(payload).toBeDefined();
            expect(payload!.length).toBeLessThanOrEqual(UDP_MAX);
            const text = payload!.toString('utf8');
            const m = JSON.parse(text) as Record<string, unknown>;
            expect(validateGelf(m)).toEqual([]);
            expect(Object.keys(m).length).toBeLessThanOrEqual(MAX_FIELD_NAMES);
            expect(text).not.toMatch(/:(-?Infinity|NaN|-0)[,}]/);
            for (const [name, kind] of fieldKinds(text)) {
              expect(Buffer.byteLength(name), name).toBeLessThanOrEqual(128);
              expect(isReservedName(name), name).toBe(false);
              expect(name.length, name).toBeGreaterThan(1);
              if (name.endsWith('_ms') && !name.endsWith('_last_ms'))
                expect(kind, name).toBe('float');
              // a field never changes type between messages
              expect(names.get(name) ?? kind, name).toBe(kind);
              names.set(name, kind);
            }
          }
          expect(names.size).toBeLessThanOrEqual(DEFAULT_MAX_FIELD_NAMES);
          const stats = processor.stats();
          expect(stats.exported).toBe(requests.length);
          if (key === undefined) expect(stats.processorErrors).toBe(0);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('keeps a process within 300 distinct names over thousands of requests with unbounded names', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(hostileText, { maxLength: 8 }), { minLength: 50, maxLength: 300 }),
        (ops) => {
          const budget = new FieldBudget();
          const names = new Set<string>();
          ops.forEach((names_, i) => {
            const s: RequestSummary = {
              traceId: (i + 1).toString(16).padStart(32, '0'),
              spanId: (i + 1).toString(16).padStart(16, '0'),
              name: 'GET /x',
              kind: 1,
              startTimeMs: 1_764_064_800_000,
              durationMs: 1,
              status: { code: 0 },
              attributes: Object.fromEntries(names_.map((n) => [n, n])),
              resource: {},
              operations: [...new Set(names_)].map(oneCall),
              annotations: {},
              counters: { spans: 1, folded: 0, openChildren: 0, droppedAnnotations: 0 },
              incomplete: false,
            };
            const payload = toGelfPayload(s, { host: 'h', budget })!;
            for (const k of Object.keys(JSON.parse(payload.toString('utf8')))) names.add(k);
          });
          expect(names.size).toBeLessThanOrEqual(DEFAULT_MAX_FIELD_NAMES);
          expect(budget.stats().fieldNames).toBeLessThanOrEqual(DEFAULT_MAX_FIELD_NAMES);
        },
      ),
      { numRuns: 20 },
    );
  });

  it('never exceeds 1 000 fields in a message, whatever the field options', () => {
    const all = OPERATION_STATISTICS.map(([s]) => s);
    fc.assert(
      fc.property(
        fc.subarray(all),
        fc.integer({ min: 0, max: 2000 }),
        fc.integer({ min: 0, max: 1500 }),
        (operationFields, maxFieldOperations, operations) => {
          let budget: FieldBudget;
          try {
            budget = new FieldBudget(
              resolveGelfConfig({ operationFields, maxFieldOperations }, {}, 'T').fields,
            );
          } catch (err) {
            expect(err).toBeInstanceOf(ConfigurationError);
            return;
          }
          const attributes = Object.fromEntries(
            Array.from({ length: 120 }, (_, i) => [`a${i}`, i]),
          );
          const ops = Array.from({ length: operations }, (_, i) => oneCall(`op${i}`));
          const s = {
            traceId: '0af7651916cd43dd8448eb211c80319c',
            spanId: 'b7ad6b7169203331',
            name: 'GET /x',
            kind: 1,
            startTimeMs: 1_764_064_800_000,
            durationMs: 1,
            status: { code: 0 as const },
            attributes,
            resource: attributes,
            operations: ops,
            annotations: {},
            counters: { spans: 1, folded: 0, openChildren: 0, droppedAnnotations: 0 },
            incomplete: false,
          };
          const m = JSON.parse(toGelfPayload(s, { host: 'h', budget })!.toString('utf8'));
          expect(Object.keys(m).length).toBeLessThanOrEqual(MAX_FIELD_NAMES);
          expect(validateGelf(m)).toEqual([]);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('refuses at construction every host Graylog would refuse, and sends valid GELF with the rest', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 12 }),
          fc.string({
            unit: fc.constantFrom(' ', '\t', '\x1c', '\x1d', '\x1e', '\x1f', '\u3000', '\u00a0'),
          }),
        ),
        (host) => {
          let resolved: string | undefined;
          try {
            resolved = resolveGelfConfig({ host }, {}, 'T').host;
          } catch (err) {
            expect(err).toBeInstanceOf(ConfigurationError);
            expect((err as Error).message).toContain('invalid host');
            return;
          }
          const s: RequestSummary = {
            traceId: '0af7651916cd43dd8448eb211c80319c',
            spanId: 'b7ad6b7169203331',
            name: 'GET /x',
            kind: 1,
            startTimeMs: 1_764_064_800_000,
            durationMs: 1,
            status: { code: 0 },
            attributes: {},
            resource: {},
            operations: [],
            annotations: {},
            counters: { spans: 0, folded: 0, openChildren: 0, droppedAnnotations: 0 },
            incomplete: false,
          };
          const m = JSON.parse(
            toGelfPayload(s, { host: resolved!, budget: new FieldBudget() })!.toString(),
          );
          expect(validateGelf(m)).toEqual([]);
          expect(m.host).toBe(resolved);
        },
      ),
      { numRuns: 300 },
    );
  });
});
