/*
 * What `pnpm demo` prints, as pure functions of the received messages and the terminal width:
 * the first requests in full, then one line per request, the progress line, and what to look
 * for in Graylog. Every table is a list of columns (terminal.ts), so that a column is added in
 * one place and dropped first at a narrow width.
 */
import { breakdownLine, type OperationRow } from '@otel-gelf/gelf-tail';
import {
  aggregateOperations,
  percentile,
  type RequestView,
  requestDurations,
  roundDown,
} from './overview.js';
import {
  bar,
  type Column,
  cut,
  fitParts,
  type Layout,
  layoutColumns,
  type Paint,
  type Part,
  rowLines,
  table,
} from './terminal.js';

/** Milliseconds with two decimals, '-' when unknown. */
function msText(value: number | undefined, digits = 2): string {
  return value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(digits);
}

/** `HH:MM:SS.mmm`, local time. */
export function clock(epochMs: number | undefined): string {
  if (epochMs === undefined) return '--:--:--.---';
  const d = new Date(epochMs);
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** `user_id=u-3 cache=miss` */
export function annotationText(view: RequestView): string {
  return view.annotations.map(([k, v]) => `${k}=${v}`).join(' ');
}

/** The operations table of one request: every last duration, oldest first. */
export const OPERATION_COLUMNS: ReadonlyArray<Column<OperationRow>> = [
  { header: 'operation', cell: (r) => r.name, maxWidth: 28 },
  { header: 'count', align: 'right', cell: (r) => (r.count === undefined ? '-' : String(r.count)) },
  { header: 'min ms', align: 'right', cell: (r) => msText(r.minMs) },
  { header: 'max ms', align: 'right', cell: (r) => msText(r.maxMs) },
  { header: 'mean ms', align: 'right', cell: (r) => msText(r.meanMs), drop: 2 },
  // Its duration minus the time its direct children ran: where the time really went.
  { header: 'self ms', align: 'right', cell: (r) => msText(r.selfMs), optional: true },
  {
    header: 'errors',
    align: 'right',
    cell: (r) => (r.errors === undefined ? '-' : String(r.errors)),
    drop: 1,
    optional: true,
    style: (r) => (r.errors !== undefined && r.errors > 0 ? 'red' : undefined),
  },
  {
    header: 'last ms, oldest first',
    cell: (r) => r.samplesMs.map((v) => msText(v)).join(' '),
    rest: 'wrap',
  },
];

/** One request in full: a header line, then its operations. */
export function detailBlock(view: RequestView, n: number, width: number, paint: Paint): string[] {
  const m = view.received;
  const transport = [m.transport, m.compression === 'none' ? '' : m.compression, `${m.bytes} B`]
    .filter((x) => x !== '')
    .join(', ');
  const parts: Part[] = [
    { text: `#${n}`, style: 'dim' },
    { text: `ended ${clock(view.endMs)}`, style: 'dim', drop: 3 },
    { text: `${view.request} ${view.status} ${msText(view.durationMs, 1)} ms`, style: 'bold' },
    { text: annotationText(view), style: 'cyan' },
    {
      text: view.traceId === undefined ? '' : `trace ${view.traceId.slice(0, 8)}`,
      style: 'dim',
      drop: 2,
    },
    { text: `(${transport})`, style: 'dim', drop: 1 },
  ];
  const breakdown = breakdownLine(m.message);
  return [
    fitParts(parts, width, paint),
    ...(breakdown === undefined ? [] : [paint('dim', cut(`    ${breakdown}`, width))]),
    ...table(OPERATION_COLUMNS, view.operations, width, paint, '    '),
  ];
}

/** A request of the compact list, numbered in the order requests ended. */
export interface NumberedView {
  n: number;
  view: RequestView;
  /** The longest single call of the request, left of the handler that wraps it all. */
  slowest: OperationRow | undefined;
}

/**
 * The slowest call of a request (by its longest single call), not counting `wrappers`: the
 * spans that contain the others (Express's `request handler` lasts as long as the request).
 */
export function slowestCall(
  view: RequestView,
  wrappers: readonly string[],
): OperationRow | undefined {
  let slowest: OperationRow | undefined;
  for (const op of view.operations) {
    if (op.maxMs === undefined || wrappers.includes(op.name)) continue;
    if (slowest === undefined || op.maxMs > slowest.maxMs!) slowest = op;
  }
  return slowest;
}

/** Width of the compact list's "slowest call" column. */
const SLOWEST_WIDTH = 22;

/**
 * One line per request: number, route and status, duration, the slowest call, the annotations;
 * at 160 columns also when it ended, its trace id and how it came. Widths are fixed because the
 * lines are printed as the requests arrive.
 */
export function compactColumns(total: number): ReadonlyArray<Column<NumberedView>> {
  return [
    {
      header: '#',
      align: 'right',
      cell: (r) => String(r.n),
      fixedWidth: Math.max(1, String(total).length),
    },
    { header: 'ended', cell: (r) => clock(r.view.endMs), fixedWidth: 12, drop: 3 },
    { header: 'request', cell: (r) => `${r.view.request} ${r.view.status}`, fixedWidth: 13 },
    { header: 'ms', align: 'right', cell: (r) => msText(r.view.durationMs, 1), fixedWidth: 7 },
    {
      header: 'slowest call, ms',
      cell: (r) => {
        if (r.slowest === undefined) return '-';
        // A long name is cut, never the duration after it.
        const ms = msText(r.slowest.maxMs, 1);
        return `${cut(r.slowest.name, SLOWEST_WIDTH - ms.length - 1)} ${ms}`;
      },
      fixedWidth: SLOWEST_WIDTH,
    },
    {
      header: 'trace',
      cell: (r) => r.view.traceId?.slice(0, 8) ?? '-',
      fixedWidth: 8,
      drop: 2,
    },
    {
      header: 'message',
      cell: (r) => `${r.view.received.transport} ${r.view.received.bytes} B`,
      fixedWidth: 10,
      drop: 1,
    },
    { header: 'annotations', cell: (r) => annotationText(r.view), fixedWidth: 40, rest: 'cut' },
  ];
}

/** The compact list's layout for `width`, made once (the rows come one at a time). */
export function compactLayout(total: number, width: number): Layout<NumberedView> {
  return layoutColumns(compactColumns(total), [], width, '  ');
}

/** The compact list's line for a request (cut, never wrapped). */
export function compactLine(layout: Layout<NumberedView>, row: NumberedView, paint: Paint): string {
  return rowLines(layout, row, paint)[0]!;
}

/** What the progress line says, fitted to `width` (the bar shrinks first, then goes). */
export function progressLine(
  state: { answered: number; total: number; received: number | undefined; inFlight: number },
  width: number,
  paint: Paint,
): string {
  const received = state.received === undefined ? '' : ` · ${state.received} summaries`;
  const tail =
    state.answered === state.total ? ' · waiting for summaries' : ` · ${state.inFlight} in flight`;
  let text = `${state.answered}/${state.total} answered${received}${tail}`;
  if (text.length > width - 1) text = `${state.answered}/${state.total}${received}`;
  const room = width - 1 - text.length - 1;
  if (room < 12) return text;
  return `${paint('cyan', bar(state.answered, state.total, Math.min(30, room - 2)))} ${text}`;
}

/** A field of the Graylog section: its GELF name, the value in one message, what it holds. */
interface FieldRow {
  field: string;
  value: string;
  meaning: string;
}

const FIELD_COLUMNS: ReadonlyArray<Column<FieldRow>> = [
  { header: 'GELF field', cell: (r) => r.field, maxWidth: 36 },
  // The field names are what a reader copies into Graylog: the values give way first.
  { header: 'value', cell: (r) => r.value, maxWidth: 30, shrink: true },
  { header: 'what it holds', cell: (r) => r.meaning, rest: 'wrap', minWidth: 28 },
];

/** `_op_<name>` as the exporter names an operation's fields. */
function opStem(name: string): string {
  return `_op_${name.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

function valueText(v: unknown): string {
  return typeof v === 'string' || typeof v === 'number' ? String(v) : '-';
}

/** A Graylog query, what it finds, and how many of this run's requests it finds. */
export interface Query {
  query: string;
  finds: string;
  matches: number;
}

/**
 * Two queries that find the slow calls: requests with one call of the slowest operation over a
 * threshold, and requests over a duration; thresholds are this run's 90th percentiles, rounded.
 */
export function slowQueries(
  views: readonly RequestView[],
  slowOp: string | undefined,
  service: string,
): Query[] {
  const queries: Query[] = [];
  if (slowOp !== undefined) {
    const stem = opStem(slowOp);
    const maxes = views
      .map((v) => v.operations.find((o) => o.name === slowOp)?.maxMs)
      .filter((x): x is number => x !== undefined);
    const threshold = roundDown(percentile(maxes, 0.9) ?? 0);
    queries.push({
      query: `${stem}_max_ms:>${threshold}`,
      finds: `one ${slowOp} call over ${threshold} ms`,
      matches: maxes.filter((x) => x > threshold).length,
    });
  }
  const durations = views.map((v) => v.durationMs).filter((x): x is number => x !== undefined);
  const threshold = roundDown(percentile(durations, 0.9) ?? 0);
  queries.push({
    query: `_service_name:${service} AND _duration_ms:>${threshold}`,
    finds: `the request took over ${threshold} ms`,
    matches: durations.filter((x) => x > threshold).length,
  });
  return queries;
}

/**
 * The slowest operation over the run by its longest call, not counting `wrappers`; the one the
 * first query looks for.
 */
export function slowestOperation(
  views: readonly RequestView[],
  wrappers: readonly string[],
): string | undefined {
  const ops = aggregateOperations(views.map((v) => v.received)).filter(
    (o) => !wrappers.includes(o.name),
  );
  return ops[0]?.name;
}

/**
 * "In Graylog": the fields of the slowest request next to what they hold, then the two
 * queries. Only fields the message really has are listed.
 */
export function graylogSection(
  views: readonly RequestView[],
  options: {
    width: number;
    paint: Paint;
    annotationKeys: readonly string[];
    wrappers: readonly string[];
    service: string;
  },
): string[] {
  const { width, paint } = options;
  if (views.length === 0) return [];
  const example = views.reduce((a, b) => ((b.durationMs ?? 0) > (a.durationMs ?? 0) ? b : a));
  const msg = example.received.message;
  const slowOp = slowestOperation(views, options.wrappers);
  const repeated = example.operations.find((o) => (o.count ?? 0) > 1);
  const rows: FieldRow[] = [];
  const add = (field: string, meaning: string) => {
    if (field in msg && !rows.some((r) => r.field === field)) {
      rows.push({ field, value: valueText(msg[field]), meaning });
    }
  };
  add('_request', 'method and route (root span)');
  add('_duration_ms', 'the whole request, ms');
  add('_http_response_status_code', 'root attribute, allowlisted');
  if (slowOp !== undefined) {
    add(`${opStem(slowOp)}_count`, `${slowOp} calls`);
    add(`${opStem(slowOp)}_max_ms`, 'its longest call, ms');
    add(`${opStem(slowOp)}_sum_ms`, 'its calls together, ms');
  }
  if (repeated !== undefined) {
    add(`${opStem(repeated.name)}_count`, `${repeated.name} calls`);
    add(`${opStem(repeated.name)}_last_ms`, `its last ${repeated.samplesMs.length} durations, ms`);
  }
  for (const key of options.annotationKeys) add(`_${key}`, `annotateRequest({ ${key} })`);
  add('_trace_id', 'to open the trace');
  const lines = [
    `  ${paint('bold', 'the fields of each message')} ${paint('dim', '(values from the slowest request)')}`,
    ...table(FIELD_COLUMNS, rows, width, paint, '    '),
    '',
    `  ${paint('bold', 'Graylog queries that find the slow calls')}`,
  ];
  for (const q of slowQueries(views, slowOp, options.service)) {
    lines.push(
      fitParts([{ text: q.query, style: 'cyan' }], width, paint, '    '),
      fitParts(
        [{ text: `${q.finds}: ${q.matches} of the ${views.length} requests here` }],
        width,
        paint,
        '      ',
      ),
    );
  }
  return lines;
}

/** The operations over all requests, slowest first: the overview's table. */
export function operationsOverview(
  views: readonly RequestView[],
  width: number,
  paint: Paint,
): string[] {
  const ops = aggregateOperations(views.map((v) => v.received));
  if (ops.length === 0) return [];
  type Op = (typeof ops)[number];
  const columns: ReadonlyArray<Column<Op>> = [
    { header: 'operation', cell: (o) => o.name, maxWidth: 28 },
    { header: 'calls', align: 'right', cell: (o) => String(o.calls) },
    {
      header: 'per request',
      align: 'right',
      cell: (o) => (o.calls / o.requests).toFixed(o.calls % o.requests === 0 ? 0 : 1),
    },
    { header: 'min ms', align: 'right', cell: (o) => msText(o.minMs) },
    { header: 'mean ms', align: 'right', cell: (o) => msText(o.meanMs) },
    { header: 'max ms', align: 'right', cell: (o) => msText(o.maxMs) },
  ];
  return [
    `  ${paint('bold', 'operations over all requests, slowest first (by max)')}`,
    ...table(columns, ops, width, paint, '    '),
  ];
}

/** `request duration  min … · mean … · max …`, or nothing without durations. */
export function durationLine(views: readonly RequestView[]): string | undefined {
  const d = requestDurations(views.map((v) => v.received));
  if (d === undefined) return undefined;
  return `min ${msText(d.minMs)} ms · mean ${msText(d.meanMs)} ms · max ${msText(d.maxMs)} ms`;
}
