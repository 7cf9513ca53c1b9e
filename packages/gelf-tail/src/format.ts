import type { ReceivedGelf } from './types.js';

/** Options of {@link formatSummary}. */
export interface FormatOptions {
  /** Use ANSI colors. @defaultValue false */
  color?: boolean;
  /** Longest plain `full_message` printed, in lines. @defaultValue 20 */
  maxPlainLines?: number;
}

/** One row of the operations table. */
export interface OperationRow {
  name: string;
  count: number | undefined;
  minMs: number | undefined;
  maxMs: number | undefined;
  meanMs: number | undefined;
  lastMs: number | undefined;
  /** Every last duration the message holds (`values`, `_last_ms`), oldest first. */
  samplesMs: number[];
  errors: number | undefined;
  /** The operation's self time (its spans' durations minus their children's time), summed. */
  selfMs?: number | undefined;
}

const LEVELS = ['EMERG', 'ALERT', 'CRIT', 'ERROR', 'WARN', 'NOTICE', 'INFO', 'DEBUG'];
const OP_FIELD = /^_op_(.+)_(count|min_ms|max_ms|mean_ms|sum_ms|last_ms|errors|self_ms)$/;
/** The breakdown's kinds: the field stem (`_db_count`, `_db_ms`) and the label shown. */
const KINDS = [
  ['db', 'db'],
  ['http_client', 'http client'],
  ['rpc', 'rpc'],
  ['messaging', 'messaging'],
  ['other', 'other'],
] as const;

const ANSI = {
  reset: '\u001b[0m',
  bold: '\u001b[1m',
  dim: '\u001b[2m',
  red: '\u001b[31m',
  green: '\u001b[32m',
  yellow: '\u001b[33m',
  cyan: '\u001b[36m',
} as const;

/**
 * Renders one received message readably, for a terminal: a header line (time, level, service,
 * `short_message`, short trace id, transport details), the breakdown line when the message has
 * `_self_ms` (the request's own time, then count and time per kind of work: `_db_count`,
 * `_db_ms` …), then a table of the request's operations (count, min, max, mean, last, and self
 * when known, in ms), read from `full_message` when it holds the summary JSON
 * (`{"op": {"num_calls", "min", "max", "mean"?, "values"}}`), else from the `_op_<name>_*`
 * fields; a message with neither shows its `full_message` as text. Each violation follows on a
 * line of its own, marked `!`. Ends without a newline.
 */
export function formatSummary(m: ReceivedGelf, options: FormatOptions = {}): string {
  const paint = options.color === true ? colorize : plain;
  const msg = m.message;
  const lines: string[] = [];

  const level = typeof msg.level === 'number' ? msg.level : undefined;
  const levelName = level !== undefined ? (LEVELS[level] ?? `L${level}`) : '-';
  const levelColor =
    level === undefined ? 'dim' : level <= 3 ? 'red' : level === 4 ? 'yellow' : 'green';
  const service = text(msg._service_name) ?? text(msg._service) ?? text(msg.host) ?? '?';
  const trace = text(msg._trace_id);
  const when = typeof msg.timestamp === 'number' ? msg.timestamp * 1000 : m.receivedAt;
  const details: string[] = [m.transport];
  if (m.compression !== 'none') details.push(m.compression);
  if (m.chunks > 1) details.push(`${m.chunks} chunks`);
  details.push(`${m.bytes} B`);
  lines.push(
    [
      paint('dim', clock(when)),
      paint(levelColor, `[${levelName}]`.padEnd(8)),
      paint('cyan', service),
      paint('bold', text(msg.short_message) ?? '(no short_message)'),
      trace === undefined ? undefined : paint('dim', `trace ${trace.slice(0, 8)}`),
      paint('dim', `(${details.join(', ')})`),
    ]
      .filter((x) => x !== undefined)
      .join('  '),
  );

  const breakdown = breakdownLine(msg);
  if (breakdown !== undefined) lines.push(paint('dim', `    ${breakdown}`));
  const rows = operationsFromFullMessage(msg) ?? operationsFromFields(msg);
  if (rows !== undefined && rows.length > 0) {
    lines.push(...table(rows, paint));
  } else if (typeof msg.full_message === 'string' && msg.full_message !== '') {
    const max = options.maxPlainLines ?? 20;
    const all = msg.full_message.split('\n');
    for (const line of all.slice(0, max)) lines.push(`    ${line}`);
    if (all.length > max) lines.push(paint('dim', `    … ${all.length - max} more line(s)`));
  }
  for (const v of m.violations) lines.push(paint('yellow', `  ! ${v}`));
  return lines.join('\n');
}

/**
 * Reads the operations from a summary's `full_message` JSON
 * (`{"op": {"num_calls", "min", "max", "mean"?, "values"}}`); undefined when it holds none.
 */
export function operationsFromFullMessage(
  msg: Record<string, unknown>,
): OperationRow[] | undefined {
  if (typeof msg.full_message !== 'string') return undefined;
  const trimmed = msg.full_message.trimStart();
  if (!trimmed.startsWith('{')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const rows: OperationRow[] = [];
  for (const [name, entry] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return undefined;
    const e = entry as Record<string, unknown>;
    const values = Array.isArray(e.values) ? e.values.filter((v) => typeof v === 'number') : [];
    const count = num(e.num_calls) ?? num(e.count);
    const sum = num(e.sum);
    const fieldMean = num(msg[`_op_${fieldName(name)}_mean_ms`]);
    rows.push({
      name,
      count,
      minMs: num(e.min),
      maxMs: num(e.max),
      meanMs: num(e.mean) ?? (sum !== undefined && count ? sum / count : fieldMean),
      lastMs: values.length > 0 ? (values[values.length - 1] as number) : undefined,
      samplesMs: values as number[],
      errors: num(e.errors) ?? num(msg[`_op_${fieldName(name)}_errors`]),
      selfMs: num(e.self) ?? num(msg[`_op_${fieldName(name)}_self_ms`]),
    });
  }
  return rows.length > 0 ? rows : undefined;
}

/** Reads the operations from the `_op_<name>_<stat>` fields; undefined when there are none. */
export function operationsFromFields(msg: Record<string, unknown>): OperationRow[] | undefined {
  const byName = new Map<string, Record<string, unknown>>();
  for (const [key, value] of Object.entries(msg)) {
    const match = OP_FIELD.exec(key);
    if (match === null) continue;
    const name = match[1]!;
    let stats = byName.get(name);
    if (stats === undefined) {
      stats = {};
      byName.set(name, stats);
    }
    stats[match[2]!] = value;
  }
  if (byName.size === 0) return undefined;
  return [...byName].map(([name, s]) => {
    const count = num(s.count);
    const sum = num(s.sum_ms);
    return {
      name,
      count,
      minMs: num(s.min_ms),
      maxMs: num(s.max_ms),
      meanMs: num(s.mean_ms) ?? (sum !== undefined && count ? sum / count : undefined),
      lastMs: lastOf(s.last_ms),
      samplesMs: samplesOf(s.last_ms),
      errors: num(s.errors),
      selfMs: num(s.self_ms),
    };
  });
}

type Paint = (color: keyof typeof ANSI, s: string) => string;

/**
 * `self 11.000 ms · db 3 × 53.000 ms · other 3 × 89.000 ms`: the request's own time, then each
 * kind of work with spans; undefined without `_self_ms`.
 */
export function breakdownLine(msg: Record<string, unknown>): string | undefined {
  const self = num(msg._self_ms);
  if (self === undefined) return undefined;
  const parts = [`self ${ms(self)} ms`];
  for (const [stem, label] of KINDS) {
    const count = num(msg[`_${stem}_count`]);
    if (count === undefined || count === 0) continue;
    parts.push(`${label} ${count} × ${ms(num(msg[`_${stem}_ms`]))} ms`);
  }
  return parts.join(' · ');
}

function table(rows: OperationRow[], paint: Paint): string[] {
  const withErrors = rows.some((r) => r.errors !== undefined && r.errors > 0);
  const withSelf = rows.some((r) => r.selfMs !== undefined);
  const nameWidth = Math.min(40, Math.max(9, ...rows.map((r) => r.name.length)));
  const head = ['count', 'min ms', 'max ms', 'mean ms', 'last ms']
    .concat(withSelf ? ['self ms'] : [])
    .concat(withErrors ? ['errors'] : []);
  const out = [
    paint(
      'dim',
      `    ${'operation'.padEnd(nameWidth)}  ${head.map((h) => h.padStart(9)).join(' ')}`,
    ),
  ];
  for (const r of rows) {
    const name = r.name.length > nameWidth ? `${r.name.slice(0, nameWidth - 1)}…` : r.name;
    const cells = [
      r.count === undefined ? '-' : String(r.count),
      ms(r.minMs),
      ms(r.maxMs),
      ms(r.meanMs),
      ms(r.lastMs),
    ]
      .concat(withSelf ? [ms(r.selfMs)] : [])
      .concat(withErrors ? [r.errors === undefined ? '-' : String(r.errors)] : []);
    const line = `    ${name.padEnd(nameWidth)}  ${cells.map((c) => c.padStart(9)).join(' ')}`;
    out.push(r.errors !== undefined && r.errors > 0 ? paint('red', line) : line);
  }
  return out;
}

function ms(x: number | undefined): string {
  if (x === undefined) return '-';
  return x >= 1000 ? x.toFixed(1) : x.toFixed(3);
}

function clock(epochMs: number): string {
  const d = new Date(epochMs);
  if (Number.isNaN(d.getTime())) return '--:--:--.---';
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

function lastOf(v: unknown): number | undefined {
  const samples = samplesOf(v);
  return samples[samples.length - 1];
}

/** `"1.2,1.3"` (or one number) as numbers, oldest first; what is not a number is left out. */
function samplesOf(v: unknown): number[] {
  if (typeof v === 'number') return Number.isFinite(v) ? [v] : [];
  if (typeof v !== 'string' || v === '') return [];
  const samples: number[] = [];
  for (const part of v.split(',')) {
    const n = num(part);
    if (n !== undefined) samples.push(n);
  }
  return samples;
}

function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

function text(v: unknown): string | undefined {
  if (typeof v === 'string' && v !== '') return v;
  if (typeof v === 'number') return String(v);
  return undefined;
}

// The producer sanitises operation names into field names the same way.
function fieldName(op: string): string {
  return op.replace(/[^\w.-]/g, '_');
}

function colorize(color: keyof typeof ANSI, s: string): string {
  return `${ANSI[color]}${s}${ANSI.reset}`;
}

function plain(_color: keyof typeof ANSI, s: string): string {
  return s;
}
