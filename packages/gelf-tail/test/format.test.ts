import { describe, expect, it } from 'vitest';
import {
  formatSummary,
  operationsFromFields,
  operationsFromFullMessage,
  type ReceivedGelf,
} from '../src/index.js';

function received(message: Record<string, unknown>, violations: string[] = []): ReceivedGelf {
  return {
    message,
    transport: 'udp',
    remote: '127.0.0.1:1',
    bytes: 812,
    compression: 'gzip',
    chunks: 2,
    violations,
    receivedAt: 0,
  };
}

const summary = {
  version: '1.1',
  host: 'web-1',
  short_message: 'GET /api/orders 200 512.3 ms',
  timestamp: 1_700_000_000.5,
  level: 3,
  _service_name: 'checkout',
  _trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
  full_message: JSON.stringify({
    fast_stuff: { num_calls: 13, min: 0.0123, max: 1.5, mean: 0.3, values: [0.2, 0.31] },
    'db.query': { num_calls: 2, min: 40.1, max: 210.7, values: [40.1, 210.7] },
  }),
  '_op_db.query_mean_ms': 125.4,
};

describe('formatSummary', () => {
  it('renders a header and the operations from full_message', () => {
    const lines = formatSummary(
      received(summary, ['field _id is forbidden (Graylog drops it)']),
    ).split('\n');
    expect(lines[0]).toMatch(
      /^\d\d:\d\d:\d\d\.500 {2}\[ERROR\] +checkout {2}GET \/api\/orders 200 512\.3 ms {2}trace 4bf92f35 {2}\(udp, gzip, 2 chunks, 812 B\)$/,
    );
    expect(lines[1]).toMatch(/operation +count +min ms +max ms +mean ms +last ms/);
    expect(lines[2]!.trim().split(/\s+/)).toEqual([
      'fast_stuff',
      '13',
      '0.012',
      '1.500',
      '0.300',
      '0.310',
    ]);
    // No mean in full_message: taken from the _op_ field.
    expect(lines[3]!.trim().split(/\s+/)).toEqual([
      'db.query',
      '2',
      '40.100',
      '210.700',
      '125.400',
      '210.700',
    ]);
    expect(lines[4]).toBe('  ! field _id is forbidden (Graylog drops it)');
    expect(lines).toHaveLength(5);
  });

  it('falls back to the _op_ fields when full_message is no summary', () => {
    const out = formatSummary(
      received({
        version: '1.1',
        host: 'h',
        short_message: 'POST /pay 500',
        full_message: 'not json',
        _op_charge_card_count: 3,
        _op_charge_card_min_ms: 10,
        _op_charge_card_max_ms: 30,
        _op_charge_card_sum_ms: 60,
        _op_charge_card_last_ms: '10,20,30.5',
        _op_charge_card_errors: 1,
      }),
    );
    const rows = out.split('\n');
    expect(rows[0]).toContain('[-]');
    expect(rows[0]).toContain('  h  POST /pay 500');
    expect(rows[1]).toMatch(/errors$/);
    expect(rows[2]!.trim().split(/\s+/)).toEqual([
      'charge_card',
      '3',
      '10.000',
      '30.000',
      '20.000',
      '30.500',
      '1',
    ]);
  });

  it('shows the breakdown line and a self-time column when the message has them', () => {
    const lines = formatSummary(
      received({
        version: '1.1',
        host: 'h',
        short_message: 'GET /orders 200 100.0 ms',
        full_message: JSON.stringify({
          'request handler': { num_calls: 1, min: 85, max: 85, mean: 85, values: [85], self: 32 },
          'pg.query': { num_calls: 2, min: 40, max: 45, mean: 42.5, values: [40, 45], self: 85 },
        }),
        _self_ms: 11,
        _db_count: 3,
        _db_ms: 53,
        _http_client_count: 0,
        _http_client_ms: 0,
        _other_count: 3,
        _other_ms: 89,
      }),
    ).split('\n');
    expect(lines[1]).toBe('    self 11.000 ms · db 3 × 53.000 ms · other 3 × 89.000 ms');
    expect(lines[2]).toMatch(/mean ms +last ms +self ms$/);
    expect(lines[3]!.trim().split(/\s+/).slice(-2)).toEqual(['85.000', '32.000']);
    expect(lines[4]!.trim().split(/\s+/).slice(-2)).toEqual(['45.000', '85.000']);
  });

  it('reads the self time from _op_<name>_self_ms fields too', () => {
    const out = formatSummary(
      received({
        version: '1.1',
        host: 'h',
        short_message: 's',
        _op_q_count: 2,
        _op_q_self_ms: 7.5,
      }),
    );
    expect(out.split('\n')[1]).toMatch(/self ms$/);
    expect(out.split('\n')[2]!.trim().split(/\s+/)).toEqual([
      'q',
      '2',
      '-',
      '-',
      '-',
      '-',
      '7.500',
    ]);
  });

  it('reads every last duration, from full_message values and from _last_ms', () => {
    expect(
      operationsFromFullMessage({
        full_message: JSON.stringify({ q: { num_calls: 3, values: [1.5, 2, 'x', 3.25] } }),
      })?.map((r) => [r.samplesMs, r.lastMs]),
    ).toEqual([[[1.5, 2, 3.25], 3.25]]);
    expect(
      operationsFromFields({ _op_q_count: 3, _op_q_last_ms: '1.5,2,x,3.25' })?.map((r) => [
        r.samplesMs,
        r.lastMs,
      ]),
    ).toEqual([[[1.5, 2, 3.25], 3.25]]);
    expect(operationsFromFields({ _op_q_count: 1, _op_q_last_ms: 4 })?.[0]?.samplesMs).toEqual([4]);
  });

  it('prints a plain full_message when there are no operations', () => {
    const out = formatSummary(
      received({ version: '1.1', host: 'h', short_message: 's', full_message: 'line 1\nline 2' }),
    );
    expect(out.split('\n').slice(1)).toEqual(['    line 1', '    line 2']);
  });

  it('colors only when asked', () => {
    expect(formatSummary(received(summary))).not.toContain('\u001b[');
    const colored = formatSummary(received(summary, ['v']), { color: true });
    expect(colored).toContain('\u001b[31m[ERROR]');
    expect(colored).toContain('\u001b[33m  ! v\u001b[0m');
  });
});
