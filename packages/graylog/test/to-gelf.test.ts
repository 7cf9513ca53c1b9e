import { validateGelf } from '@otel-gelf/gelf-tail';
import { describe, expect, it } from 'vitest';
import { FieldBudget, OPERATION_STATISTICS } from '../src/gelf-plan.js';
import { toGelf, toGelfPayload } from '../src/to-gelf.js';
import type { GelfMessage } from '../src/types.js';
import { operation, summary } from './summaries.js';

const HOST = 'web-1';
const ALL_STATISTICS = OPERATION_STATISTICS.map(([s]) => s);

/** The message of `s`, planned against a fresh budget that writes every statistic per operation. */
function gelf(s = summary(), maxBytes?: number): Record<string, unknown> {
  const budget = new FieldBudget({ operationFields: ALL_STATISTICS, maxFieldOperations: 120 });
  const message = toGelf(s, { host: HOST, maxBytes, budget });
  expect(message).toBeDefined();
  return message as unknown as Record<string, unknown>;
}

function fieldNames(m: Record<string, unknown>): string[] {
  return Object.keys(m).filter((k) => k.startsWith('_'));
}

describe('toGelf', () => {
  describe('standard fields', () => {
    it('sets version 1.1, the given host and level 6', () => {
      const m = gelf();
      expect(m.version).toBe('1.1');
      expect(m.host).toBe(HOST);
      expect(m.level).toBe(6);
      expect(validateGelf(m)).toEqual([]);
    });

    it('uses the root start as timestamp in seconds with millisecond decimals', () => {
      expect(gelf().timestamp).toBe(1_764_064_800.123);
    });

    it('sets level 3 when the root status is ERROR', () => {
      expect(gelf(summary({ status: { code: 2, message: 'boom' } })).level).toBe(3);
      expect(gelf(summary({ status: { code: 1 } })).level).toBe(6);
    });

    it('writes a readable short_message: name, status code, duration', () => {
      expect(gelf().short_message).toBe('GET /api 200 512.3 ms');
    });

    it('marks errors and incomplete requests in short_message', () => {
      const m = gelf(summary({ status: { code: 2 }, incomplete: true }));
      expect(m.short_message).toBe('GET /api 200 512.3 ms [error] [incomplete]');
    });

    it('falls back to the older http.status_code attribute and leaves a missing code out', () => {
      expect(gelf(summary({ attributes: { 'http.status_code': 404 } })).short_message).toBe(
        'GET /api 404 512.3 ms',
      );
      expect(gelf(summary({ attributes: {} })).short_message).toBe('GET /api 512.3 ms');
    });

    it('never sends an empty short_message', () => {
      expect(gelf(summary({ name: '' })).short_message).toBe('(unnamed) 200 512.3 ms');
      expect(
        gelf(summary({ name: ' \t', durationMs: Number.NaN, attributes: {} })).short_message,
      ).toBe('(unnamed)');
    });

    it('puts the operations in full_message in the seed shape', () => {
      const full = JSON.parse(gelf().full_message as string);
      expect(Object.keys(full)).toEqual(['fast_stuff', 'some_slow_stuff', 'db.query']);
      expect(full.fast_stuff).toEqual({
        num_calls: 6,
        min: 0.11,
        max: 0.3,
        mean: 0.167,
        values: [0.2, 0.3, 0.15, 0.12, 0.11],
      });
      expect(full.some_slow_stuff).toEqual({
        num_calls: 1,
        min: 500,
        max: 500,
        mean: 500,
        values: [500],
      });
    });

    it('leaves full_message out when there are no operations', () => {
      const m = gelf(summary({ operations: [] }));
      expect(m).not.toHaveProperty('full_message');
      expect(validateGelf(m)).toEqual([]);
    });
  });

  describe('request fields', () => {
    it('carries ids, name, duration (µs), status, service and counters', () => {
      const m = gelf(
        summary({ counters: { spans: 9, folded: 2, openChildren: 1, droppedAnnotations: 0 } }),
      );
      expect(m).toMatchObject({
        _trace_id: '0af7651916cd43dd8448eb211c80319c',
        _span_id: 'b7ad6b7169203331',
        _request: 'GET /api',
        _duration_ms: 512.346,
        _status: 'unset',
        _service_name: 'shop',
        _spans: 9,
        _folded: 2,
        _open_children: 1,
        _incomplete: 0,
      });
    });

    it('names the status ok / error and carries the status message', () => {
      expect(gelf(summary({ status: { code: 1 } }))._status).toBe('ok');
      const m = gelf(summary({ status: { code: 2, message: 'db down' } }));
      expect(m._status).toBe('error');
      expect(m._status_message).toBe('db down');
    });

    it('sends incomplete as 1, since Graylog drops booleans', () => {
      expect(gelf(summary({ incomplete: true }))._incomplete).toBe(1);
    });

    it('maps root and resource attributes with dots turned into underscores', () => {
      const m = gelf();
      expect(m).toMatchObject({
        _http_request_method: 'GET',
        _http_route: '/api',
        _http_response_status_code: 200,
        _service_version: '1.2.3',
        _deployment_environment_name: 'prod',
      });
      // service.name is _service_name once, not twice
      expect(fieldNames(m).filter((k) => k.startsWith('_service_name'))).toEqual(['_service_name']);
    });

    it('turns booleans into "true"/"false", arrays into comma-joined strings, leaves non-finite numbers out', () => {
      const m = gelf(
        summary({
          attributes: { ok: true, no: false, list: ['a', 'b', 3], nan: Number.NaN, inf: Infinity },
        }),
      );
      expect(m).toMatchObject({ _ok: 'true', _no: 'false', _list: 'a,b,3' });
      expect(m).not.toHaveProperty('_nan');
      expect(m).not.toHaveProperty('_inf');
    });
  });

  describe('operation fields', () => {
    it('writes count, min, max, sum, mean, errors and the last samples per operation', () => {
      const m = gelf();
      expect(m).toMatchObject({
        _op_fast_stuff_count: 6,
        _op_fast_stuff_min_ms: 0.11,
        _op_fast_stuff_max_ms: 0.3,
        _op_fast_stuff_sum_ms: 1.003,
        _op_fast_stuff_mean_ms: 0.167,
        _op_fast_stuff_errors: 0,
        _op_fast_stuff_last_ms: '0.2,0.3,0.15,0.12,0.11',
        _op_some_slow_stuff_count: 1,
        _op_some_slow_stuff_max_ms: 500,
        _op_db_query_count: 2,
        _op_db_query_errors: 1,
        _op_db_query_last_ms: '3.5,4.25',
      });
    });

    it('rounds every duration to microseconds', () => {
      const m = gelf(summary({ operations: [operation('x', [1.23456789])] }));
      expect(m._op_x_min_ms).toBe(1.235);
      expect(m._op_x_last_ms).toBe('1.235');
    });

    it('leaves out non-finite durations instead of sending null', () => {
      const op = { ...operation('x', [1]), minMs: Number.NaN, lastMs: [Number.NaN, 2] };
      const m = gelf(summary({ operations: [op] }));
      expect(m).not.toHaveProperty('_op_x_min_ms');
      expect(m._op_x_last_ms).toBe('2.0');
      expect(JSON.parse(m.full_message as string).x.min).toBeNull();
      expect(validateGelf(m)).toEqual([]);
    });
  });

  describe('field names', () => {
    it('replaces every character outside [A-Za-z0-9_-] with _', () => {
      const m = gelf(
        summary({ operations: [operation('GET /users/:id', [1]), operation('Ä ö', [2])] }),
      );
      expect(m._op_GET__users__id_count).toBe(1);
      expect(m._op_____count).toBe(1);
      for (const k of fieldNames(m)) expect(k).toMatch(/^_[A-Za-z0-9_-]+$/);
    });

    it('makes colliding names unique with _2, _3', () => {
      const m = gelf(
        summary({
          attributes: { 'x.y': 'dot', x_y: 'underscore', 'x-y': 'dash', 'x/y': 'slash' },
          operations: [operation('a.b', [1]), operation('a_b', [2]), operation('a b', [3])],
        }),
      );
      expect(m).toMatchObject({
        _x_y: 'dot',
        _x_y_2: 'underscore',
        '_x-y': 'dash',
        _x_y_3: 'slash',
      });
      expect(m._op_a_b_count).toBe(1);
      expect(m._op_a_b_2_min_ms).toBe(2);
      expect(m._op_a_b_3_min_ms).toBe(3);
    });

    it('never emits _id or a name Graylog reserves', () => {
      const m = gelf(summary({ attributes: { id: 'i', message: 'm', source: 's' } }));
      expect(m).not.toHaveProperty('_id');
      expect(m).not.toHaveProperty('_message');
      expect(m).toMatchObject({ _id_2: 'i', _message_2: 'm', _source_2: 's' });
    });

    it('bounds names to 128 characters, keeping long names distinct with a hash', () => {
      const long = 'x'.repeat(300);
      const m = gelf(
        summary({
          attributes: { [`${long}a`]: 1, [`${long}b`]: 2 },
          operations: [operation(`${long}a`, [1]), operation(`${long}b`, [2])],
        }),
      );
      const names = fieldNames(m);
      for (const k of names) expect(k.length).toBeLessThanOrEqual(128);
      const attrs = names.filter((k) => k.startsWith('_xxx'));
      expect(attrs).toHaveLength(2);
      expect(new Set(attrs.map((k) => m[k]))).toEqual(new Set([1, 2]));
      const counts = names.filter((k) => k.startsWith('_op_x') && k.endsWith('_count'));
      expect(counts).toHaveLength(2);
      // all fields of one operation share its stem
      const stem = counts[0]!.slice(0, -'_count'.length);
      expect(names.filter((k) => k.startsWith(stem))).toHaveLength(7);
    });
  });

  describe('annotation fields', () => {
    it('writes each annotation as a field named after its key, sanitised as attributes are', () => {
      const m = gelf(
        summary({
          annotations: { user_id: 'u-17', 'tenant.plan': 'pro', cache_miss: 2, admin: false },
        }),
      );
      expect(m).toMatchObject({
        _user_id: 'u-17',
        _tenant_plan: 'pro',
        _cache_miss: 2,
        _admin: 'false',
      });
      expect(validateGelf(m)).toEqual([]);
    });

    it('writes numbers as floating point, so a count and a later fraction share one mapping', () => {
      const budget = new FieldBudget();
      const text = (annotations: Record<string, number>) =>
        toGelfPayload(summary({ annotations }), { host: HOST, budget })!.toString();
      expect(text({ cache_miss: 2 })).toContain('"_cache_miss":2.0');
      expect(text({ cache_miss: 2.5 })).toContain('"_cache_miss":2.5');
    });

    it('renames a key that lands on a fixed field or in the operation namespace, whatever comes first', () => {
      const s = summary({
        annotations: {
          duration_ms: 1,
          trace_id: 'mine',
          op_fast_stuff_count: 99,
          'ops.folded': 3,
          id: 'x',
        },
      });
      for (const budget of [
        new FieldBudget({ operationFields: ALL_STATISTICS }),
        new FieldBudget(),
      ]) {
        const m = toGelf(s, { host: HOST, budget }) as unknown as Record<string, unknown>;
        expect(m).toMatchObject({
          _annotation_duration_ms: 1,
          _annotation_trace_id: 'mine',
          _annotation_op_fast_stuff_count: 99,
          _annotation_ops_folded: 3,
          _duration_ms: 512.346,
          _trace_id: s.traceId,
        });
        expect(m._op_fast_stuff_count).toBe(6);
        // `_id` is Graylog's: numbered like an attribute of that name.
        expect(m._id).toBeUndefined();
        expect(m._id_2).toBe('x');
      }
      // A budget that saw the annotation before the operation still gives the operation its name.
      const budget = new FieldBudget();
      toGelf(summary({ operations: [], annotations: { op_fast_stuff_count: 1 } }), {
        host: HOST,
        budget,
      });
      const later = toGelf(summary(), { host: HOST, budget }) as unknown as Record<string, unknown>;
      expect(later._op_fast_stuff_count).toBe(6);
    });

    it('counts annotation keys against the field budget: past its quota they get no field', () => {
      const budget = new FieldBudget();
      const keys = Object.fromEntries(Array.from({ length: 45 }, (_, i) => [`k${i}`, i]));
      const m = toGelf(summary({ annotations: keys }), { host: HOST, budget }) as unknown as Record<
        string,
        unknown
      >;
      const written = Object.keys(m).filter((k) => /^_k\d+$/.test(k));
      expect(written).toHaveLength(40);
      expect(budget.stats().keysRefused).toBeGreaterThan(0);
      expect(budget.stats().fieldNames).toBeLessThanOrEqual(300);
    });

    it('writes none in compact mode, and none for a summary without annotations', () => {
      const compact = toGelf(summary({ annotations: { user_id: 'u-1' } }), {
        host: HOST,
        budget: new FieldBudget({ compact: true }),
      });
      expect(compact).not.toHaveProperty('_user_id');
      const { annotations: _, ...old } = summary();
      expect(validateGelf(gelf(old as never))).toEqual([]);
    });
  });

  describe('size bounds', () => {
    it('cuts string values to 32 766 UTF-8 bytes, never inside a character', () => {
      const m = gelf(
        summary({ attributes: { big: '€'.repeat(20_000), ascii: 'a'.repeat(40_000) } }),
      );
      const big = m._big as string;
      expect(Buffer.byteLength(big)).toBeLessThanOrEqual(32_766);
      expect(Buffer.byteLength(big)).toBeGreaterThan(32_700);
      expect(big.endsWith('€…')).toBe(true);
      expect(big).not.toContain('\uFFFD');
      expect(Buffer.byteLength(m._ascii as string)).toBe(32_766);
      expect(validateGelf(m)).toEqual([]);
    });

    it('within maxBytes, leaves out the fields of the operations with the least time first', () => {
      const ops = Array.from({ length: 100 }, (_, i) => operation(`op_${i}`, [i + 1, i + 2]));
      const s = summary({ operations: ops });
      const full = JSON.stringify(gelf(s));
      const maxBytes = Buffer.byteLength(full) - 2000;
      const m = gelf(s, maxBytes);
      expect(Buffer.byteLength(JSON.stringify(m))).toBeLessThanOrEqual(maxBytes);
      const omitted = m._ops_omitted as number;
      expect(omitted).toBeGreaterThan(0);
      expect(omitted).toBeLessThan(100);
      // the slowest operations keep their fields, the fastest lose them
      expect(m._op_op_99_count).toBe(2);
      expect(m).not.toHaveProperty('_op_op_0_count');
      expect(fieldNames(m).filter((k) => k.endsWith('_count'))).toHaveLength(100 - omitted);
      // full_message still lists every operation
      expect(Object.keys(JSON.parse(m.full_message as string))).toHaveLength(100);
    });

    it('then cuts full_message, then long values, and only then gives up', () => {
      const ops = Array.from({ length: 100 }, (_, i) => operation(`operation_${i}`, [i, i + 1]));
      const s = summary({ operations: ops, attributes: { note: 'n'.repeat(5000) } });
      const m = gelf(s, 4000);
      expect(Buffer.byteLength(JSON.stringify(m))).toBeLessThanOrEqual(4000);
      expect(m._ops_omitted).toBe(100);
      expect(m.full_message === undefined || (m.full_message as string).endsWith('…')).toBe(true);
      expect(validateGelf(m)).toEqual([]);

      const tight = gelf(s, 1500);
      expect(Buffer.byteLength(JSON.stringify(tight))).toBeLessThanOrEqual(1500);
      expect(tight).not.toHaveProperty('full_message');
      expect((tight._note as string).length).toBeLessThan(5000);
      expect(tight._trace_id).toBe(s.traceId);

      expect(toGelf(s, { host: HOST, maxBytes: 200 })).toBeUndefined();
    });
  });

  it('is pure: same input, same output; the input is not changed', () => {
    const s = summary();
    const before = structuredClone(s);
    const a = toGelf(s, { host: HOST });
    const b = toGelf(s, { host: HOST });
    expect(a).toEqual(b);
    expect(s).toEqual(before);
  });
});

describe('toGelfPayload', () => {
  it('is the UTF-8 JSON of toGelf', () => {
    const s = summary({ name: 'GET /caf\u00e9' });
    const payload = toGelfPayload(s, { host: HOST })!;
    const parsed = JSON.parse(payload.toString('utf8')) as GelfMessage;
    expect(parsed).toEqual(toGelf(s, { host: HOST }));
    expect(parsed._request).toBe('GET /café');
  });

  it('stays within maxBytes', () => {
    const s = summary({ attributes: { big: 'é'.repeat(30_000) } });
    const payload = toGelfPayload(s, { host: HOST, maxBytes: 10_000 })!;
    expect(payload.length).toBeLessThanOrEqual(10_000);
    expect(validateGelf(JSON.parse(payload.toString('utf8')))).toEqual([]);
  });
});

describe('toGelf field plans', () => {
  it('keeps shapes apart whose names would join to the same text', () => {
    const a = toGelf(summary({ attributes: { 'a\u0001b': 1 } }), { host: 'h' })!;
    const b = toGelf(summary({ attributes: { a: 1, b: 2 } }), { host: 'h' })!;
    const c = toGelf(summary({ attributes: { 'a\u0001b': 3 } }), { host: 'h' })!;
    expect(a).toMatchObject({ _a_b: 1 });
    expect(b).toMatchObject({ _a: 1, _b: 2 });
    expect(c).toMatchObject({ _a_b: 3 });
    expect(c).not.toHaveProperty('_a');
  });
});
