import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateGelf } from '@otel-gelf/gelf-tail';
import type { RequestSummary } from '@otel-gelf/request-summary';
import { describe, expect, it } from 'vitest';
import { isReservedName } from '../src/field-names.js';
import {
  ATTRIBUTE_FIELD_QUOTA,
  DEFAULT_MAX_FIELD_NAMES,
  FIXED_FIELD_RESERVE,
  FIXED_FIELDS,
  FieldBudget,
  type FieldBudgetOptions,
  fieldOptionProblems,
  MAX_FIELD_NAMES,
  OPERATION_STATISTICS,
  STANDARD_FIELDS,
} from '../src/gelf-plan.js';
import { GelfSummaryExporter } from '../src/gelf-summary-exporter.js';
import { GraylogSummaryProcessor } from '../src/graylog-summary-processor.js';
import { toGelf, toGelfPayload } from '../src/to-gelf.js';
import { operation, summary } from './summaries.js';

const ALL = OPERATION_STATISTICS.map(([s]) => s);

function message(s: RequestSummary, budget: FieldBudget): Record<string, unknown> {
  const m = toGelf(s, { host: 'h', budget });
  expect(m).toBeDefined();
  expect(validateGelf(m)).toEqual([]);
  return m as unknown as Record<string, unknown>;
}

/** The raw JSON text of one message, to see how numbers are written (JSON.parse hides `20.0`). */
function payload(s: RequestSummary, budget = new FieldBudget()): string {
  return toGelfPayload(s, { host: 'h', budget })!.toString('utf8');
}

/** A request whose span names embed ids and SQL, as some instrumentations make them. */
function hostileRequest(i: number): RequestSummary {
  return summary({
    operations: [
      operation(`SELECT * FROM orders WHERE id = ${i}`, [1, 2]),
      operation(`GET /users/${i * 7919}/cart`, [3]),
      operation(`token-${(i * 2654435761) >>> 0}`, [0.5]),
      operation('fast_stuff', [0.1, 0.2]),
    ],
    attributes: { 'http.route': '/users/:id', [`user.${i % 97}`]: i, 'http.request.method': 'GET' },
  });
}

describe('FieldBudget', () => {
  it('keeps a process within 300 distinct field names whatever its span names', () => {
    const budget = new FieldBudget();
    const names = new Set<string>();
    let folded = 0;
    for (let i = 0; i < 2000; i++) {
      const m = message(hostileRequest(i), budget);
      for (const k of Object.keys(m)) names.add(k);
      folded += (m._ops_folded as number | undefined) ?? 0;
    }
    expect(names.size).toBeLessThanOrEqual(DEFAULT_MAX_FIELD_NAMES);
    expect(budget.stats().fieldNames).toBeLessThanOrEqual(DEFAULT_MAX_FIELD_NAMES);
    expect(budget.stats().fieldOperations).toBe(56);
    // the first 56 operations seen keep their fields; fast_stuff was among them
    expect(names.has('_op_fast_stuff_count')).toBe(true);
    expect(folded).toBeGreaterThan(0);
    expect(budget.stats().operationsFolded).toBeGreaterThan(0);
    // every attribute key past the quota is left out
    expect([...names].filter((k) => k.startsWith('_user_')).length).toBeLessThanOrEqual(
      ATTRIBUTE_FIELD_QUOTA,
    );
  });

  it('folds operations past the cap into _ops_other_* and keeps them all in full_message', () => {
    const budget = new FieldBudget({ maxFieldOperations: 1 });
    const m = message(
      summary({
        operations: [operation('a', [1, 2]), operation('b', [3]), operation('c', [4], 1)],
      }),
      budget,
    );
    expect(m).toMatchObject({ _op_a_count: 2, _op_a_sum_ms: 3, _op_a_max_ms: 2 });
    expect(m).toMatchObject({
      _ops_folded: 2,
      _ops_other_count: 2,
      _ops_other_sum_ms: 7,
      _ops_other_max_ms: 4,
    });
    expect(m).not.toHaveProperty('_op_b_count');
    const full = JSON.parse(m.full_message as string);
    expect(Object.keys(full)).toEqual(['a', 'b', 'c']);
    expect(full.c).toMatchObject({ num_calls: 1, errors: 1 });
    // once claimed, an operation keeps its fields; a later one never gets any
    const again = message(
      summary({ operations: [operation('c', [1]), operation('a', [1])] }),
      budget,
    );
    expect(again).toHaveProperty('_op_a_count');
    expect(again).not.toHaveProperty('_op_c_count');
  });

  it("keeps a user's operation named _other apart from the fold entry", () => {
    const fold = { ...operation('_other', [10, 20]), folded: true };
    const m = message(summary({ operations: [operation('_other', [1]), fold] }), new FieldBudget());
    expect(m._op__other_count).toBe(1);
    expect(m._ops_other_count).toBe(2);
    expect(m._ops_folded).toBe(1);
    const full = JSON.parse(m.full_message as string);
    expect(full._other.num_calls).toBe(1);
    expect(full['_other #2'].num_calls).toBe(2);
  });

  it('writes the statistics chosen with operationFields', () => {
    const m = message(summary(), new FieldBudget({ operationFields: ['mean_ms', 'errors'] }));
    const stats = Object.keys(m).filter((k) => k.startsWith('_op_fast_stuff_'));
    expect(stats.sort()).toEqual(['_op_fast_stuff_errors', '_op_fast_stuff_mean_ms']);
  });

  it('sends only the fixed fields and full_message in compact mode', () => {
    const m = message(hostileRequest(1), new FieldBudget({ compact: true }));
    const fixed = new Set<string>([...STANDARD_FIELDS, ...FIXED_FIELDS.map(([n]) => n)]);
    for (const k of Object.keys(m)) expect(fixed.has(k), k).toBe(true);
    expect(Object.keys(JSON.parse(m.full_message as string))).toHaveLength(4);
  });

  it('never lets a message carry more than 1 000 fields, whatever the options', () => {
    const max = Number(
      /to (\d+)/.exec(
        fieldOptionProblems({ maxFieldOperations: 1e6, operationFields: ALL })[0]!,
      )![1],
    );
    const options: FieldBudgetOptions = { operationFields: ALL, maxFieldOperations: max };
    expect(fieldOptionProblems(options)).toEqual([]);
    const budget = new FieldBudget(options);
    const attributes = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`a${i}`, i]));
    const ops = Array.from({ length: 2000 }, (_, i) => operation(`op${i}`, [i]));
    const m = message(summary({ attributes, resource: attributes, operations: ops }), budget);
    expect(Object.keys(m).length).toBeLessThanOrEqual(MAX_FIELD_NAMES);
    expect(budget.stats().fieldNames).toBeLessThanOrEqual(MAX_FIELD_NAMES);
    expect(fieldOptionProblems({ operationFields: ALL, maxFieldOperations: max + 1 })[0]).toContain(
      'invalid maxFieldOperations',
    );
  });

  it('refuses invalid field options, one line each', () => {
    expect(fieldOptionProblems({ compact: 'yes' as never })[0]).toContain('invalid compact "yes"');
    expect(fieldOptionProblems({ operationFields: ['count', 'p99'] as never })[0]).toContain(
      'invalid operationFields ["count","p99"]',
    );
    expect(fieldOptionProblems({ operationFields: ['count', 'count'] })).toHaveLength(1);
    expect(fieldOptionProblems({ maxFieldOperations: -1 })).toHaveLength(1);
    expect(fieldOptionProblems({ maxFieldOperations: 1.5 })).toHaveLength(1);
  });

  it("lists every fixed field with its type in the root README's Graylog section", () => {
    const readme = readFileSync(join(import.meta.dirname, '../../../README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('| fixed field'));
    const rows = table.slice(0, table.indexOf('\n\n')).split('\n');
    const graylogType = { ms: 'double', count: 'long', string: 'string' } as const;
    for (const [name, type] of FIXED_FIELDS) {
      const row = rows.find((r) => r.includes(`\`${name}\``));
      expect(row, name).toBeDefined();
      expect(row!.split('|')[2]!.trim(), name).toBe(graylogType[type]);
    }
  });

  describe('self time and the breakdown by kind of work', () => {
    const timed = () =>
      summary({
        selfMs: 20,
        operations: [
          { ...operation('pg.query', [10, 12]), selfMs: 22 },
          { ...operation('render', [1.5]), selfMs: 1.25 },
        ],
        breakdown: {
          db: { count: 34, ms: 41.2 },
          httpClient: { count: 1, ms: 5 },
          rpc: { count: 0, ms: 0 },
          messaging: { count: 0, ms: 0 },
          other: { count: 2, ms: 3.5 },
        },
      });

    it('writes _self_ms and a count and an _ms per kind, ms always with a fraction', () => {
      const text = payload(timed());
      for (const field of [
        '"_self_ms":20.0',
        '"_db_count":34',
        '"_db_ms":41.2',
        '"_http_client_count":1',
        '"_http_client_ms":5.0',
        '"_rpc_count":0',
        '"_rpc_ms":0.0',
        '"_messaging_count":0',
        '"_messaging_ms":0.0',
        '"_other_count":2',
        '"_other_ms":3.5',
      ]) {
        expect(text, field).toContain(field);
      }
      expect(validateGelf(JSON.parse(text))).toEqual([]);
    });

    it("adds each operation's self time to full_message as self", () => {
      const full = JSON.parse(message(timed(), new FieldBudget()).full_message as string);
      expect(full['pg.query'].self).toBe(22);
      expect(full.render.self).toBe(1.25);
      expect(
        JSON.parse(message(summary(), new FieldBudget()).full_message as string).fast_stuff,
      ).not.toHaveProperty('self');
    });

    it('writes them in compact mode too (they are fixed fields)', () => {
      const m = message(timed(), new FieldBudget({ compact: true }));
      expect(m).toMatchObject({ _self_ms: 20, _db_count: 34, _db_ms: 41.2, _other_count: 2 });
    });

    it('leaves them out of a summary without self time', () => {
      const m = message(summary(), new FieldBudget());
      expect(Object.keys(m).filter((k) => /_self_ms$|^_(db|other)_/.test(k))).toEqual([]);
    });

    it('writes _op_<name>_self_ms when operationFields selects it, and adds it up in the bucket', () => {
      const budget = new FieldBudget({
        operationFields: ['count', 'self_ms'],
        maxFieldOperations: 1,
      });
      const text = payload(timed(), budget);
      expect(text).toContain('"_op_pg_query_self_ms":22.0');
      expect(text).toContain('"_ops_other_self_ms":1.25');
      expect(payload(summary(), budget)).not.toContain('self_ms');
    });
  });

  it('has room for the fixed fields it lists', () => {
    expect(STANDARD_FIELDS.length + FIXED_FIELDS.length).toBeLessThanOrEqual(FIXED_FIELD_RESERVE);
  });

  it('pins each attribute field to the type of its first value', () => {
    const budget = new FieldBudget();
    const first = message(summary({ attributes: { n: 200, s: 'text' } }), budget);
    expect(first).toMatchObject({ _n: 200, _s: 'text' });
    const second = message(summary({ attributes: { n: 'two hundred', s: 5 } }), budget);
    expect(second).not.toHaveProperty('_n');
    expect(second._s).toBe('5');
    expect(budget.stats().typeConflicts).toBe(1);
  });

  it('gives extra per-request keys a field from their own quota', () => {
    const budget = new FieldBudget();
    const field = budget.extraField('tenant.id');
    expect(Buffer.from(field!.bytes).toString()).toBe(',"_tenant_id":');
    expect(budget.extraField('tenant.id')).toBe(field);
    expect(budget.extraField('')).toBeUndefined();
    expect(new FieldBudget({ compact: true }).extraField('tenant.id')).toBeUndefined();
  });
});

describe('field options of the processor and the exporter', () => {
  it('take compact, operationFields and maxFieldOperations, and refuse bad ones at construction', async () => {
    const endpoint = 'udp://127.0.0.1:9';
    const exporter = new GelfSummaryExporter({
      endpoint,
      env: {},
      operationFields: ['count'],
      maxFieldOperations: 2,
    });
    expect(exporter.fieldStats()).toMatchObject({ fieldOperations: 0, keysRefused: 0 });
    await exporter.shutdown();
    const processor = new GraylogSummaryProcessor({ endpoint, env: {}, compact: true });
    expect(processor.fieldStats().fieldOperations).toBe(0);
    await processor.shutdown();
    expect(
      () => new GraylogSummaryProcessor({ endpoint, env: {}, maxFieldOperations: 10_000 }),
    ).toThrow('GraylogSummaryProcessor: invalid maxFieldOperations 10000');
    expect(
      () => new GraylogSummaryProcessor({ endpoint, env: {}, operationFields: ['p99'] as never }),
    ).toThrow('invalid operationFields ["p99"]');
  });
});

describe('toGelf stable types', () => {
  it('writes every _ms value with a fraction and every count as an integer', () => {
    const s = summary({
      durationMs: 20,
      operations: [operation('x', [5, 5]), { ...operation('y', [1]), count: 2.7, errors: -3 }],
      counters: { spans: 3.5, folded: Number.NaN, openChildren: -1, droppedAnnotations: 0 },
    });
    const text = payload(s, new FieldBudget({ operationFields: ALL }));
    expect(text).toContain('"_duration_ms":20.0');
    expect(text).toContain('"_op_x_min_ms":5.0');
    expect(text).toContain('"_op_x_sum_ms":10.0');
    expect(text).toContain('"_op_x_last_ms":"5.0,5.0"');
    expect(text).toContain('"_op_y_count":2,');
    expect(text).toContain('"_op_y_errors":0');
    expect(text).toContain('"_spans":3,"_folded":0,"_open_children":0');
    expect(text).not.toMatch(/_ms":-?\d+[,}]/);
  });

  it('writes numeric attributes as floating point, so a later fraction is not truncated', () => {
    expect(payload(summary({ attributes: { 'http.response.status_code': 200 } }))).toContain(
      '"_http_response_status_code":200.0',
    );
  });

  it('never writes Infinity, NaN or -0, and clamps negative durations to 0', () => {
    const s = summary({
      durationMs: -0,
      operations: [
        { ...operation('x', [1]), minMs: -5, maxMs: Infinity, sumMs: Number.NaN, lastMs: [-0] },
      ],
      attributes: { neg: -0, inf: -Infinity },
    });
    const text = payload(s, new FieldBudget({ operationFields: ALL }));
    expect(text).not.toMatch(/Infinity|NaN|-0/);
    expect(JSON.parse(text)).toMatchObject({ _duration_ms: 0, _op_x_min_ms: 0, _neg: 0 });
  });
});

describe('toGelf names and values Graylog keeps', () => {
  it('never emits a name Graylog strips, reserves or uses itself', () => {
    const keys = ['_id', '_source', '_ttl', '_all', '_index', '_type', '_score', 'id', 'message'];
    const attributes = Object.fromEntries(
      [...keys, 'gl2_source_input', 'GL2_x', 'timestamp', 'host', 'Source'].map((k) => [k, 'v']),
    );
    const m = message(summary({ attributes, resource: {} }), new FieldBudget());
    for (const k of Object.keys(m)) {
      if (!k.startsWith('_')) continue;
      expect(isReservedName(k), k).toBe(false);
      expect(k.startsWith('__'), k).toBe(false);
    }
    expect(m).toMatchObject({ _id_2: 'v', _user_gl2_source_input: 'v', _user_GL2_x: 'v' });
  });

  it('keeps every name within 128 bytes, also when thousands of long names collide', () => {
    const long = 'x'.repeat(300);
    const budget = new FieldBudget({ operationFields: ALL, maxFieldOperations: 120 });
    const ops = Array.from({ length: 130 }, (_, i) =>
      operation(`${long}${i % 3 === 0 ? '' : i}`, [1]),
    );
    const m = message(summary({ operations: ops }), budget);
    for (const k of Object.keys(m)) expect(Buffer.byteLength(k), k).toBeLessThanOrEqual(128);
  });

  it('gives a key the same field in every message (collisions resolved once)', () => {
    const budget = new FieldBudget();
    const a = message(summary({ attributes: { 'x.y': 1, x_y: 2 } }), budget);
    const b = message(summary({ attributes: { x_y: 3 } }), budget);
    expect(a).toMatchObject({ _x_y: 1, _x_y_2: 2 });
    expect(b).toMatchObject({ _x_y_2: 3 });
    expect(b).not.toHaveProperty('_x_y');
  });

  it('skips empty attribute keys', () => {
    const m = message(summary({ attributes: { '': 'x' } }), new FieldBudget());
    expect(m).not.toHaveProperty('_');
  });

  it('leaves out ids that are not 32 / 16 lowercase hex digits', () => {
    const m = message(
      summary({ traceId: `${'A'.repeat(32)}`, spanId: `${'b'.repeat(16)}"x` }),
      new FieldBudget(),
    );
    expect(m).not.toHaveProperty('_trace_id');
    expect(m).not.toHaveProperty('_span_id');
    const zero = message(
      summary({ traceId: '0'.repeat(32), spanId: '0'.repeat(16) }),
      new FieldBudget(),
    );
    expect(zero).not.toHaveProperty('_trace_id');
  });

  it('leaves out a timestamp outside 2000–2100 (Graylog then uses the arrival time)', () => {
    for (const startTimeMs of [Number.NaN, -1, 0, 1e15, 3.2e14, Infinity]) {
      expect(message(summary({ startTimeMs }), new FieldBudget())).not.toHaveProperty('timestamp');
    }
  });
});
