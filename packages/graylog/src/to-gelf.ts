import type {
  OperationSummary,
  RequestSummary,
  SummaryAttributeValue,
} from '@otel-gelf/request-summary';
import { ByteWriter } from './byte-writer.js';
import { type FieldPlan, fieldPlan, SERVICE_NAME } from './gelf-plan.js';
import type { GelfMessage } from './types.js';
import { truncateUtf8 } from './utf8.js';

/** Graylog's largest indexable term: a longer string value fails indexing ("immense term"). */
export const MAX_VALUE_BYTES = 32_766;

/** Options of {@link toGelf} and {@link toGelfPayload}. */
export interface ToGelfOptions {
  /** The GELF `host` field. Compute it once (e.g. `os.hostname()`), not per message. */
  host: string;
  /**
   * Budget for the whole serialized message in UTF-8 bytes (a transport's
   * {@link GelfTransport.maxPayloadBytes}). Over budget, in this order: the per-operation fields
   * of the operations with the least total time are left out (`full_message` still lists every
   * operation and `_ops_omitted` says how many), then `full_message` is cut, then long string
   * values are cut further (down to 64 bytes); a message still over budget is not produced.
   * @defaultValue no budget beyond the per-value limit
   */
  maxBytes?: number;
  /** Longest string value in UTF-8 bytes. @defaultValue 32766 ({@link MAX_VALUE_BYTES}) */
  maxValueBytes?: number;
}

/** The attributes whose value is the response status shown in `short_message`. */
const STATUS_CODE_KEYS = ['http.response.status_code', 'http.status_code', 'rpc.grpc.status_code'];
const STATUS_JSON = ['"unset"', '"ok"', '"error"'];
const MIN_VALUE_BYTES = 64;

/** Rounds milliseconds to microseconds (3 decimals), cheaper than `toFixed` and stays a number. */
function us(ms: number): number {
  const r = Math.round(ms * 1000) / 1000;
  // Beyond ~1e305 the product overflows: keep the value as it is.
  return Number.isFinite(r) ? r : ms;
}

/** A count as JSON text; a count that is no finite number (never from the processor) is 0. */
function count(n: number): number {
  return Number.isFinite(n) ? n : 0;
}

// "001" … "999" without trailing zeros ("1" for 100, "12" for 120), so µs values are written
// from integers: integer-to-text is several times cheaper than the shortest-double algorithm.
const FRACTIONS: string[] = Array.from({ length: 1000 }, (_, i) =>
  String(i).padStart(3, '0').replace(/0+$/, ''),
);
const MAX_FAST_MICROS = 2 ** 31 - 1;
// Below 2^50 ms (year 37 648) a double has room for exact millisecond decimals.
const MAX_FAST_MILLIS = 2 ** 50;

/** Milliseconds rounded to µs as JSON text, the same text as `String(us(ms))`; ms must be finite. */
function msText(ms: number): string {
  const micros = Math.round(ms * 1000);
  if (micros < 0 || micros > MAX_FAST_MICROS) return `${us(ms)}`;
  const whole = (micros / 1000) | 0;
  const fraction = micros - whole * 1000;
  return fraction === 0 ? `${whole}` : `${whole}.${FRACTIONS[fraction]}`;
}

/** A duration in ms with one decimal, the same text as `String(Math.round(ms * 10) / 10)`. */
function tenthsText(ms: number): string {
  const tenths = Math.round(ms * 10);
  if (tenths < 0 || tenths > MAX_FAST_MICROS) return `${tenths / 10}`;
  const whole = (tenths / 10) | 0;
  const fraction = tenths - whole * 10;
  return fraction === 0 ? `${whole}` : `${whole}.${fraction}`;
}

/** A number as JSON text: non-finite values have no JSON form, so they become null. */
function jsonNumber(n: number): string {
  return Number.isFinite(n) ? msText(n) : 'null';
}

/** A string value as JSON text, cut to `cap` UTF-8 bytes. */
function jsonString(s: string, cap: number): string {
  return JSON.stringify(truncateUtf8(s, cap));
}

/** The operations in the seed's shape: `{"name": {"num_calls", "min", "max", "mean", "values"}}`. */
function operationsJson(operations: OperationSummary[]): string {
  let out = '{';
  for (let i = 0; i < operations.length; i++) {
    const op = operations[i]!;
    if (i > 0) out += ',';
    out += `${JSON.stringify(op.name)}:{"num_calls":${count(op.count)},"min":${jsonNumber(op.minMs)},"max":${jsonNumber(op.maxMs)},"mean":${jsonNumber(op.count > 0 ? op.sumMs / op.count : 0)},"values":[`;
    const last = op.lastMs;
    for (let j = 0; j < last.length; j++) out += (j > 0 ? ',' : '') + jsonNumber(last[j]!);
    out += ']}';
  }
  return `${out}}`;
}

function shortMessage(summary: RequestSummary): string {
  // Graylog refuses a blank short_message.
  let out = summary.name.trim().length > 0 ? summary.name : '(unnamed)';
  for (const key of STATUS_CODE_KEYS) {
    const code = summary.attributes[key];
    if (typeof code === 'number' || typeof code === 'string') {
      out += ` ${code}`;
      break;
    }
  }
  if (Number.isFinite(summary.durationMs)) out += ` ${tenthsText(summary.durationMs)} ms`;
  if (summary.status.code === 2) out += ' [error]';
  if (summary.incomplete) out += ' [incomplete]';
  return out;
}

interface Limits {
  /** Longest string value. */
  valueCap: number;
  /** Longest `full_message` (0 = left out). */
  fullMessageCap: number;
  /** Operations whose `_op_*` fields are left out (indexes into `operations`). */
  omitted: Set<number> | undefined;
  /** When set, receives the length of each operation's fields, by index. */
  opSizes: number[] | undefined;
}

/** An ASCII JSON fragment as bytes, ready to copy into a message. */
function fragment(text: string): Uint8Array {
  return Buffer.from(text, 'latin1');
}

// The fixed pieces of the message text, written by {@link serialize}.
const FM_OPEN = fragment('"{');
const FM_NUM_CALLS = fragment('{\\"num_calls\\":');
const FM_MIN = fragment(',\\"min\\":');
const FM_MAX = fragment(',\\"max\\":');
const FM_MEAN = fragment(',\\"mean\\":');
const FM_VALUES = fragment(',\\"values\\":[');
const FM_OP_CLOSE = fragment(']}');
const FM_CLOSE = fragment('}"');
const NULL = fragment('null');
const VERSION_HOST = fragment('{"version":"1.1","host":');
const SHORT_MESSAGE = fragment(',"short_message":');
const FULL_MESSAGE = fragment(',"full_message":');
const TIMESTAMP = fragment(',"timestamp":');
const TRACE_ID = fragment(',"_trace_id":');
const SPAN_ID = fragment(',"_span_id":');
const REQUEST = fragment(',"_request":');
const DURATION = fragment(',"_duration_ms":');
const STATUS = fragment(',"_status":');
const STATUS_MESSAGE = fragment(',"_status_message":');
const SPANS = fragment(',"_spans":');
const FOLDED = fragment(',"_folded":');
const OPEN_CHILDREN = fragment(',"_open_children":');
const OPS_OMITTED = fragment(',"_ops_omitted":');
const LEVEL_INFO = fragment(',"level":6');
const LEVEL_ERROR = fragment(',"level":3');
const INCOMPLETE = fragment(',"_incomplete":1');
const COMPLETE = fragment(',"_incomplete":0');
const SERVICE_NAME_FIELD = fragment(',"_service_name":');
const TRUE = fragment('"true"');
const FALSE = fragment('"false"');
const STATUS_BYTES = STATUS_JSON.map(fragment);
const UNSET = fragment('"unset"');

// The host is the same for every message of an exporter: keep its JSON form.
let lastHost = '';
let lastHostCap = 0;
let lastHostJson = '"unknown"';
let lastHostAscii = true;

function hostJson(host: string, cap: number): string {
  if (host !== lastHost || cap !== lastHostCap) {
    lastHost = host;
    lastHostCap = cap;
    // GELF requires a non-blank host.
    lastHostJson = host.trim().length > 0 ? jsonString(host, cap) : '"unknown"';
    lastHostAscii = Buffer.byteLength(lastHostJson, 'utf8') === lastHostJson.length;
  }
  return lastHostJson;
}

/** A string value as JSON text, cut to `cap` UTF-8 bytes (plain ASCII is copied as it is). */
function writeString(w: ByteWriter, s: string, cap: number): void {
  if (!w.plainString(s, cap)) w.utf8(jsonString(s, cap));
}

/** Milliseconds rounded to µs, the same text as {@link msText}; ms must be finite. */
function writeMs(w: ByteWriter, ms: number): void {
  const micros = Math.round(ms * 1000);
  if (micros < 0 || micros > MAX_FAST_MICROS) {
    w.ascii(`${us(ms)}`);
    return;
  }
  const whole = (micros / 1000) | 0;
  const fraction = micros - whole * 1000;
  w.uint(whole);
  if (fraction !== 0) w.fraction(fraction);
}

/**
 * An attribute field: strings and numbers as they are, booleans and arrays as strings, anything
 * else left out (with its name). Non-finite numbers become strings, since JSON has no form for
 * them.
 */
function writeAttribute(
  w: ByteWriter,
  name: Uint8Array,
  v: SummaryAttributeValue,
  cap: number,
): void {
  switch (typeof v) {
    case 'string':
      w.bytes(name);
      writeString(w, v, cap);
      return;
    case 'number':
      w.bytes(name);
      if (Number.isFinite(v)) w.number(v);
      else w.ascii(`"${v}"`);
      return;
    case 'boolean':
      w.bytes(name);
      w.bytes(v ? TRUE : FALSE);
      return;
    default:
      if (Array.isArray(v)) {
        w.bytes(name);
        writeString(w, v.join(','), cap);
      }
  }
}

/**
 * `full_message` as a JSON string literal. The usual case writes the escaped text directly (the
 * operation keys come pre-escaped from the plan); only a message that might exceed `cap` is built
 * plainly, cut and escaped.
 */
function writeFullMessage(
  w: ByteWriter,
  operations: OperationSummary[],
  plan: FieldPlan,
  cap: number,
): void {
  const keys = plan.fullMessageKeys;
  const start = w.pos;
  w.bytes(FM_OPEN);
  for (let i = 0; i < operations.length; i++) {
    const op = operations[i]!;
    if (i > 0) w.byte(0x2c);
    w.bytes(keys[i]!);
    w.bytes(FM_NUM_CALLS);
    w.number(count(op.count));
    w.bytes(FM_MIN);
    writeJsonNumber(w, op.minMs);
    w.bytes(FM_MAX);
    writeJsonNumber(w, op.maxMs);
    w.bytes(FM_MEAN);
    writeJsonNumber(w, op.count > 0 ? op.sumMs / op.count : 0);
    w.bytes(FM_VALUES);
    const last = op.lastMs;
    for (let j = 0; j < last.length; j++) {
      if (j > 0) w.byte(0x2c);
      writeJsonNumber(w, last[j]!);
    }
    w.bytes(FM_OP_CLOSE);
  }
  w.bytes(FM_CLOSE);
  // The plain text is no longer than the escaped one, so within cap / 3 bytes it needs no cut.
  if ((w.pos - start) * 3 <= cap) return;
  w.pos = start;
  w.utf8(jsonString(operationsJson(operations), cap));
}

function writeJsonNumber(w: ByteWriter, n: number): void {
  if (Number.isFinite(n)) writeMs(w, n);
  else w.bytes(NULL);
}

/**
 * Writes the message as UTF-8 JSON, field by field, in the order of {@link GelfMessage}; returns
 * its size in bytes.
 */
function serialize(w: ByteWriter, summary: RequestSummary, host: string, limits: Limits): number {
  w.pos = 0;
  const cap = limits.valueCap;
  const plan = fieldPlan(summary);
  const operations = summary.operations;
  w.bytes(VERSION_HOST);
  const hostText = hostJson(host, cap);
  if (lastHostAscii) w.ascii(hostText);
  else w.utf8(hostText);
  w.bytes(SHORT_MESSAGE);
  writeString(w, shortMessage(summary), cap);
  if (operations.length > 0 && limits.fullMessageCap > 0) {
    w.bytes(FULL_MESSAGE);
    writeFullMessage(w, operations, plan, limits.fullMessageCap);
  }
  if (Number.isFinite(summary.startTimeMs)) {
    w.bytes(TIMESTAMP);
    writeSeconds(w, summary.startTimeMs);
  }
  // Syslog 3 (error) or 6 (info).
  w.bytes(summary.status.code === 2 ? LEVEL_ERROR : LEVEL_INFO);

  w.bytes(TRACE_ID);
  writeId(w, summary.traceId);
  w.bytes(SPAN_ID);
  writeId(w, summary.spanId);
  w.bytes(REQUEST);
  writeString(w, summary.name, cap);
  if (Number.isFinite(summary.durationMs)) {
    w.bytes(DURATION);
    writeMs(w, summary.durationMs);
  }
  w.bytes(STATUS);
  w.bytes(STATUS_BYTES[summary.status.code] ?? UNSET);
  const statusMessage = summary.status.message;
  if (statusMessage !== undefined && statusMessage.length > 0) {
    w.bytes(STATUS_MESSAGE);
    writeString(w, statusMessage, cap);
  }
  const serviceName = summary.resource[SERVICE_NAME];
  if (serviceName !== undefined) writeAttribute(w, SERVICE_NAME_FIELD, serviceName, cap);
  const counters = summary.counters;
  w.bytes(SPANS);
  w.number(count(counters.spans));
  w.bytes(FOLDED);
  w.number(count(counters.folded));
  w.bytes(OPEN_CHILDREN);
  w.number(count(counters.openChildren));
  w.bytes(summary.incomplete ? INCOMPLETE : COMPLETE);
  const omitted = limits.omitted;
  if (omitted !== undefined && omitted.size > 0) {
    w.bytes(OPS_OMITTED);
    w.uint(omitted.size);
  }

  let i = 0;
  for (const key in summary.attributes) {
    writeAttribute(w, plan.attributes[i]!, summary.attributes[key]!, cap);
    i++;
  }
  i = 0;
  for (const key in summary.resource) {
    const name = plan.resource[i++]!;
    if (name.length > 0) writeAttribute(w, name, summary.resource[key]!, cap);
  }

  for (let k = 0; k < operations.length; k++) {
    if (omitted?.has(k)) continue;
    const start = w.pos;
    const op = operations[k]!;
    const names = plan.operations[k]!;
    w.bytes(names[0]!);
    w.number(count(op.count));
    if (Number.isFinite(op.minMs)) {
      w.bytes(names[1]!);
      writeMs(w, op.minMs);
    }
    if (Number.isFinite(op.maxMs)) {
      w.bytes(names[2]!);
      writeMs(w, op.maxMs);
    }
    if (Number.isFinite(op.sumMs)) {
      w.bytes(names[3]!);
      writeMs(w, op.sumMs);
      if (op.count > 0) {
        w.bytes(names[4]!);
        writeMs(w, op.sumMs / op.count);
      }
    }
    w.bytes(names[5]!);
    w.number(count(op.errors));
    const last = op.lastMs;
    if (last.length > 0) {
      w.bytes(names[6]!);
      w.byte(0x22);
      let first = true;
      for (let j = 0; j < last.length; j++) {
        const v = last[j]!;
        if (!Number.isFinite(v)) continue;
        if (!first) w.byte(0x2c);
        first = false;
        writeMs(w, v);
      }
      w.byte(0x22);
    }
    if (limits.opSizes !== undefined) limits.opSizes[k] = w.pos - start;
  }
  w.byte(0x7d);
  return w.pos;
}

/** A time in ms as seconds with millisecond decimals, the same text as `String(Math.round(ms) / 1000)`. */
function writeSeconds(w: ByteWriter, ms: number): void {
  const millis = Math.round(ms);
  if (millis < 0 || millis > MAX_FAST_MILLIS) {
    w.ascii(`${millis / 1000}`);
    return;
  }
  const whole = Math.floor(millis / 1000);
  const fraction = millis - whole * 1000;
  w.uint(whole);
  if (fraction !== 0) w.fraction(fraction);
}

/** An id: ids are lowercase hex, which needs no escaping; anything else is escaped. */
function writeId(w: ByteWriter, id: string): void {
  if (!w.hexString(id)) w.utf8(JSON.stringify(id));
}

/** Applies the size policy of {@link ToGelfOptions.maxBytes}; see there. */
function fit(w: ByteWriter, summary: RequestSummary, options: ToGelfOptions): boolean {
  const maxBytes = options.maxBytes!;
  const valueCap = options.maxValueBytes ?? MAX_VALUE_BYTES;
  let size = w.pos;
  const limits: Limits = { valueCap, fullMessageCap: valueCap, omitted: new Set(), opSizes: [] };
  const rebuild = (): boolean => {
    size = serialize(w, summary, options.host, limits);
    return size <= maxBytes;
  };

  // 1. Leave out the per-operation fields of the operations with the least total time.
  const operations = summary.operations;
  if (operations.length > 0) {
    // Learn each operation's size in bytes.
    rebuild();
    const sizes = limits.opSizes!;
    limits.opSizes = undefined;
    const order = operations
      .map((_, k) => k)
      .sort((a, b) => operations[a]!.sumMs - operations[b]!.sumMs);
    let k = 0;
    while (k < order.length) {
      // `_ops_omitted` itself takes ~20 bytes.
      let excess = size - maxBytes + 20;
      while (k < order.length && excess > 0) {
        limits.omitted!.add(order[k]!);
        excess -= sizes[order[k]!]!;
        k++;
      }
      if (rebuild()) return true;
    }
  }

  // 2. Cut full_message (escaping makes its serialized form longer than its bytes: repeat).
  let fullBytes = operations.length > 0 ? Buffer.byteLength(operationsJson(operations), 'utf8') : 0;
  for (let attempt = 0; attempt < 4 && fullBytes > 0; attempt++) {
    const cap = Math.min(fullBytes, limits.fullMessageCap) - (size - maxBytes) - 16;
    limits.fullMessageCap = cap >= MIN_VALUE_BYTES ? cap : 0;
    if (rebuild()) return true;
    fullBytes = limits.fullMessageCap;
  }

  // 3. Cut every long string value further.
  for (let cap = valueCap >> 1; cap >= MIN_VALUE_BYTES; cap >>= 1) {
    limits.valueCap = cap;
    if (rebuild()) return true;
  }
  // 4. Nothing left to give up: the caller drops the message.
  return false;
}

// One scratch buffer for every message; a second one only if serializing ever re-entered.
const SCRATCH_BYTES = 16 * 1024;
const SCRATCH_KEEP_BYTES = 256 * 1024;
const scratch = new ByteWriter(SCRATCH_BYTES);
let scratchInUse = false;

/**
 * Writes the message into a writer and passes it to `use` (whose result is returned), or
 * returns undefined when the message cannot fit `maxBytes`.
 */
function encode<T>(
  summary: RequestSummary,
  options: ToGelfOptions,
  use: (w: ByteWriter) => T,
): T | undefined {
  const shared = !scratchInUse;
  const w = shared ? scratch : new ByteWriter(SCRATCH_BYTES);
  if (shared) scratchInUse = true;
  try {
    const valueCap = options.maxValueBytes ?? MAX_VALUE_BYTES;
    const size = serialize(w, summary, options.host, {
      valueCap,
      fullMessageCap: valueCap,
      omitted: undefined,
      opSizes: undefined,
    });
    const maxBytes = options.maxBytes;
    if (maxBytes !== undefined && size > maxBytes && !fit(w, summary, options)) return undefined;
    return use(w);
  } finally {
    if (shared) {
      scratchInUse = false;
      w.reset(SCRATCH_KEEP_BYTES);
    }
  }
}

const parseMessage = (w: ByteWriter): GelfMessage =>
  JSON.parse(w.buf.toString('utf8', 0, w.pos)) as GelfMessage;
const copyPayload = (w: ByteWriter): Buffer => w.copy();

/**
 * Maps a request summary to one GELF 1.1 message. Pure: no I/O, no clock, no randomness.
 *
 * Field names are sanitised to `[A-Za-z0-9_-]` (dots too: `http.route` → `_http_route`), at
 * most 128 characters (cut ones end with a hash), unique (`_2`, `_3` … on collision), never
 * `_id` or another name Graylog reserves. Durations are in milliseconds rounded to µs. String
 * values are cut to {@link ToGelfOptions.maxValueBytes} UTF-8 bytes, never inside a character.
 *
 * @returns the message, or undefined when it cannot fit {@link ToGelfOptions.maxBytes}
 */
export function toGelf(summary: RequestSummary, options: ToGelfOptions): GelfMessage | undefined {
  return encode(summary, options, parseMessage);
}

/**
 * {@link toGelf}, serialized: the UTF-8 JSON bytes a transport sends, at most
 * {@link ToGelfOptions.maxBytes} long. The exporter's path: the JSON is written directly, with
 * field names planned once per message shape.
 *
 * @returns the payload, or undefined when the message cannot fit `maxBytes`
 */
export function toGelfPayload(summary: RequestSummary, options: ToGelfOptions): Buffer | undefined {
  return encode(summary, options, copyPayload);
}
