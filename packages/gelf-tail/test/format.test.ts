import { describe, expect, it } from 'vitest';
import { formatSummary, type ReceivedGelf } from '../src/index.js';

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
