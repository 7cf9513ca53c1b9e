import type {
  OperationSummary,
  RequestSummary,
  SummaryAttributeValue,
} from '@otel-gelf/request-summary';
import { type FieldPlan, fieldPlan, SERVICE_NAME } from './gelf-plan.js';
import type { GelfMessage } from './types.js';
import { fitsUtf8, truncateUtf8 } from './utf8.js';

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
const LEVEL_INFO = 6;
const LEVEL_ERROR = 3;
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

/** A time in ms as seconds with millisecond decimals, the same text as `String(Math.round(ms) / 1000)`. */
function secondsText(ms: number): string {
  const millis = Math.round(ms);
  if (millis < 0 || millis > MAX_FAST_MILLIS) return `${millis / 1000}`;
  const whole = Math.floor(millis / 1000);
  const fraction = millis - whole * 1000;
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

const HEX = /^[0-9a-f]*$/;

/** An id as JSON text: ids are lowercase hex, which needs no escaping; anything else is escaped. */
function idJson(id: string): string {
  return HEX.test(id) ? `"${id}"` : JSON.stringify(id);
}

/** A number as JSON text: non-finite values have no JSON form, so they become null. */
function jsonNumber(n: number): string {
  return Number.isFinite(n) ? msText(n) : 'null';
}

/** A string value as JSON text, cut to `cap` UTF-8 bytes. */
function jsonString(s: string, cap: number): string {
  return JSON.stringify(truncateUtf8(s, cap));
}

/** An attribute value as JSON text: strings and numbers as they are, the rest as strings. */
function attributeJson(v: SummaryAttributeValue, cap: number): string | undefined {
  switch (typeof v) {
    case 'string':
      return jsonString(v, cap);
    case 'number':
      return Number.isFinite(v) ? `${v}` : `"${v}"`;
    case 'boolean':
      return v ? '"true"' : '"false"';
    default:
      return Array.isArray(v) ? jsonString(v.join(','), cap) : undefined;
  }
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

/**
 * `full_message` as a JSON string literal. The usual case writes the escaped text directly
 * (the operation keys come pre-escaped from the plan); only a message that might exceed `cap`
 * is built plainly, cut and escaped.
 */
function fullMessageJson(operations: OperationSummary[], plan: FieldPlan, cap: number): string {
  let out = '"{';
  for (let i = 0; i < operations.length; i++) {
    const op = operations[i]!;
    if (i > 0) out += ',';
    out += `${plan.fullMessageKeys[i]}{\\"num_calls\\":${count(op.count)},\\"min\\":${jsonNumber(op.minMs)},\\"max\\":${jsonNumber(op.maxMs)},\\"mean\\":${jsonNumber(op.count > 0 ? op.sumMs / op.count : 0)},\\"values\\":[`;
    const last = op.lastMs;
    for (let j = 0; j < last.length; j++) out += (j > 0 ? ',' : '') + jsonNumber(last[j]!);
    out += ']}';
  }
  out += '}"';
  // The escaped text is at least as long as the plain one, which takes at most 3 bytes a unit.
  if (out.length * 3 <= cap) return out;
  return jsonString(operationsJson(operations), cap);
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

// The host is the same for every message of an exporter: keep its JSON form.
let lastHost = '';
let lastHostCap = 0;
let lastHostJson = '"unknown"';

function hostJson(host: string, cap: number): string {
  if (host !== lastHost || cap !== lastHostCap) {
    lastHost = host;
    lastHostCap = cap;
    // GELF requires a non-blank host.
    lastHostJson = host.trim().length > 0 ? jsonString(host, cap) : '"unknown"';
  }
  return lastHostJson;
}

/** Writes the message as JSON text, field by field, in the order of {@link GelfMessage}. */
function serialize(summary: RequestSummary, host: string, limits: Limits): string {
  const cap = limits.valueCap;
  const plan = fieldPlan(summary);
  const operations = summary.operations;
  let out = `{"version":"1.1","host":${hostJson(host, cap)},"short_message":${jsonString(shortMessage(summary), cap)}`;
  if (operations.length > 0 && limits.fullMessageCap > 0) {
    out += `,"full_message":${fullMessageJson(operations, plan, limits.fullMessageCap)}`;
  }
  if (Number.isFinite(summary.startTimeMs)) {
    out += `,"timestamp":${secondsText(summary.startTimeMs)}`;
  }
  out += `,"level":${summary.status.code === 2 ? LEVEL_ERROR : LEVEL_INFO}`;

  out += `,"_trace_id":${idJson(summary.traceId)},"_span_id":${idJson(summary.spanId)},"_request":${jsonString(summary.name, cap)}`;
  if (Number.isFinite(summary.durationMs)) out += `,"_duration_ms":${msText(summary.durationMs)}`;
  out += `,"_status":${STATUS_JSON[summary.status.code] ?? '"unset"'}`;
  const statusMessage = summary.status.message;
  if (statusMessage !== undefined && statusMessage.length > 0) {
    out += `,"_status_message":${jsonString(statusMessage, cap)}`;
  }
  const serviceName = summary.resource[SERVICE_NAME];
  if (serviceName !== undefined) {
    const value = attributeJson(serviceName, cap);
    if (value !== undefined) out += `,"_service_name":${value}`;
  }
  const counters = summary.counters;
  out += `,"_spans":${count(counters.spans)},"_folded":${count(counters.folded)},"_open_children":${count(counters.openChildren)},"_incomplete":${summary.incomplete ? 1 : 0}`;
  const omitted = limits.omitted;
  if (omitted !== undefined && omitted.size > 0) out += `,"_ops_omitted":${omitted.size}`;

  let i = 0;
  for (const key in summary.attributes) {
    const value = attributeJson(summary.attributes[key]!, cap);
    if (value !== undefined) out += plan.attributes[i] + value;
    i++;
  }
  i = 0;
  for (const key in summary.resource) {
    const name = plan.resource[i++]!;
    if (name === '') continue;
    const value = attributeJson(summary.resource[key]!, cap);
    if (value !== undefined) out += name + value;
  }

  for (let k = 0; k < operations.length; k++) {
    if (omitted?.has(k)) continue;
    const op = operations[k]!;
    const names = plan.operations[k]!;
    let fields = names[0]! + count(op.count);
    if (Number.isFinite(op.minMs)) fields += names[1]! + msText(op.minMs);
    if (Number.isFinite(op.maxMs)) fields += names[2]! + msText(op.maxMs);
    if (Number.isFinite(op.sumMs)) {
      fields += names[3]! + msText(op.sumMs);
      if (op.count > 0) fields += names[4]! + msText(op.sumMs / op.count);
    }
    fields += names[5]! + count(op.errors);
    const last = op.lastMs;
    if (last.length > 0) {
      let joined = '';
      for (let j = 0; j < last.length; j++) {
        const v = last[j]!;
        if (Number.isFinite(v)) joined += (joined.length > 0 ? ',' : '') + msText(v);
      }
      fields += `${names[6]!}"${joined}"`;
    }
    if (limits.opSizes !== undefined) limits.opSizes[k] = fields.length;
    out += fields;
  }
  return `${out}}`;
}

/** Applies the size policy of {@link ToGelfOptions.maxBytes}; see there. */
function fit(summary: RequestSummary, options: ToGelfOptions, first: string): string | undefined {
  const maxBytes = options.maxBytes!;
  const valueCap = options.maxValueBytes ?? MAX_VALUE_BYTES;
  let json = first;
  let size = Buffer.byteLength(json, 'utf8');
  const limits: Limits = { valueCap, fullMessageCap: valueCap, omitted: new Set(), opSizes: [] };
  const rebuild = (): boolean => {
    json = serialize(summary, options.host, limits);
    size = Buffer.byteLength(json, 'utf8');
    return size <= maxBytes;
  };

  // 1. Leave out the per-operation fields of the operations with the least total time.
  const operations = summary.operations;
  if (operations.length > 0) {
    // Learn each operation's size (written as ASCII: length = bytes).
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
      if (rebuild()) return json;
    }
  }

  // 2. Cut full_message (escaping makes its serialized form longer than its bytes: repeat).
  let fullBytes = operations.length > 0 ? Buffer.byteLength(operationsJson(operations), 'utf8') : 0;
  for (let attempt = 0; attempt < 4 && fullBytes > 0; attempt++) {
    const cap = Math.min(fullBytes, limits.fullMessageCap) - (size - maxBytes) - 16;
    limits.fullMessageCap = cap >= MIN_VALUE_BYTES ? cap : 0;
    if (rebuild()) return json;
    fullBytes = limits.fullMessageCap;
  }

  // 3. Cut every long string value further.
  for (let cap = valueCap >> 1; cap >= MIN_VALUE_BYTES; cap >>= 1) {
    limits.valueCap = cap;
    if (rebuild()) return json;
  }
  // 4. Nothing left to give up: the caller drops the message.
  return undefined;
}

function encode(summary: RequestSummary, options: ToGelfOptions): string | undefined {
  const valueCap = options.maxValueBytes ?? MAX_VALUE_BYTES;
  const json = serialize(summary, options.host, {
    valueCap,
    fullMessageCap: valueCap,
    omitted: undefined,
    opSizes: undefined,
  });
  const maxBytes = options.maxBytes;
  if (maxBytes === undefined || fitsUtf8(json, maxBytes)) return json;
  return fit(summary, options, json);
}

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
  const json = encode(summary, options);
  return json === undefined ? undefined : (JSON.parse(json) as GelfMessage);
}

/**
 * {@link toGelf}, serialized: the UTF-8 JSON bytes a transport sends, at most
 * {@link ToGelfOptions.maxBytes} long. The exporter's path: the JSON is written directly, with
 * field names planned once per message shape.
 *
 * @returns the payload, or undefined when the message cannot fit `maxBytes`
 */
export function toGelfPayload(summary: RequestSummary, options: ToGelfOptions): Buffer | undefined {
  const json = encode(summary, options);
  return json === undefined ? undefined : Buffer.from(json, 'utf8');
}
