import type {
  OperationSummary,
  RequestSummary,
  SummaryAttributeValue,
  WorkSummary,
} from '@otel-gelf/request-summary';
import { isGraylogBlank } from './blank.js';
import { ByteWriter } from './byte-writer.js';
import { FieldBudget, type FieldPlan, type PlannedField, SERVICE_NAME } from './gelf-plan.js';
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
  /**
   * The field budget the message's names are planned against (an exporter keeps one).
   * @defaultValue one budget with the default options, shared by the whole process
   */
  budget?: FieldBudget;
}

/** The budget of calls that name none. */
const processBudget = new FieldBudget();

/** The attributes whose value is the response status shown in `short_message`. */
const STATUS_CODE_KEYS = ['http.response.status_code', 'http.status_code', 'rpc.grpc.status_code'];
const STATUS_JSON = ['"unset"', '"ok"', '"error"'];
const MIN_VALUE_BYTES = 64;

// The timestamps a message may carry: 2000-01-01 to 2100-01-01. Outside, the value is no start
// time (a bad clock or a hand-made summary): `timestamp` is left out, and Graylog uses the time
// the message arrived.
const MIN_TIMESTAMP_MS = 946_684_800_000;
const MAX_TIMESTAMP_MS = 4_102_444_800_000;
const ZERO_ID = /^0+$/;

/** A count as a JSON integer: what is no non-negative safe integer (never from the processor) is cut to one. */
function count(n: number): number {
  if ((n | 0) === n && n >= 0) return n;
  return n > 0 && n <= Number.MAX_SAFE_INTEGER ? Math.floor(n) : 0;
}

const MAX_FAST_MICROS = 2 ** 31 - 1;
// Below 2^50 ms (year 37 648) a double has room for exact millisecond decimals.
const MAX_FAST_MILLIS = 2 ** 50;

/** A duration in ms with one decimal, the same text as `String(Math.round(ms * 10) / 10)`. */
function tenthsText(ms: number): string {
  const tenths = Math.round(ms * 10);
  if (tenths < 0 || tenths > MAX_FAST_MICROS) return `${tenths / 10}`;
  const whole = (tenths / 10) | 0;
  const fraction = tenths - whole * 10;
  return fraction === 0 ? `${whole}` : `${whole}.${fraction}`;
}

/** The response status shown in `short_message`: the first of {@link STATUS_CODE_KEYS} present. */
function statusCode(attributes: RequestSummary['attributes']): string | number | undefined {
  for (const key of STATUS_CODE_KEYS) {
    const code = attributes[key];
    if (typeof code === 'string' || (typeof code === 'number' && Number.isFinite(code))) {
      return code;
    }
  }
  return undefined;
}

function shortMessage(summary: RequestSummary): string {
  // Graylog refuses a blank short_message.
  const name = summary.name;
  let out = typeof name === 'string' && !isGraylogBlank(name) ? name : '(unnamed)';
  const code = statusCode(summary.attributes);
  if (code !== undefined) out += ` ${code}`;
  const durationMs = summary.durationMs;
  if (Number.isFinite(durationMs)) out += ` ${tenthsText(Math.max(durationMs, 0))} ms`;
  if (summary.status.code === 2) out += ' [error]';
  if (summary.incomplete) out += ' [incomplete]';
  return out;
}

// The longest text `short_message` adds to the name when the status code is a number: a
// number's `String()` is at most 24 characters, twice, and the fixed words.
const SHORT_MESSAGE_SUFFIX_MAX = 80;

/**
 * `short_message` as a JSON string. The usual case (a printable ASCII name well under the cap, a
 * numeric status code) is written straight into the writer, the same text as
 * {@link shortMessage} without building it as a string first; anything else goes through it.
 */
function writeShortMessage(w: ByteWriter, summary: RequestSummary, cap: number): void {
  const name = summary.name;
  if (
    typeof name === 'string' &&
    name.length + SHORT_MESSAGE_SUFFIX_MAX <= cap &&
    !isGraylogBlank(name)
  ) {
    const code = statusCode(summary.attributes);
    const start = w.pos;
    if (typeof code !== 'string' && w.plainText(name)) {
      if (code !== undefined) {
        w.byte(0x20);
        w.number(code);
      }
      const durationMs = summary.durationMs;
      if (Number.isFinite(durationMs)) {
        w.byte(0x20);
        writeTenths(w, Math.max(durationMs, 0));
        w.bytes(MS_WORD);
      }
      if (summary.status.code === 2) w.bytes(ERROR_WORD);
      if (summary.incomplete) w.bytes(INCOMPLETE_WORD);
      w.byte(0x22);
      return;
    }
    w.pos = start;
  }
  writeString(w, shortMessage(summary), cap);
}

/** {@link tenthsText}, written into the writer. */
function writeTenths(w: ByteWriter, ms: number): void {
  const tenths = Math.round(ms * 10);
  if (tenths < 0 || tenths > MAX_FAST_MICROS) {
    w.ascii(`${tenths / 10}`);
    return;
  }
  const whole = (tenths / 10) | 0;
  w.uint(whole);
  const fraction = tenths - whole * 10;
  if (fraction !== 0) {
    w.byte(0x2e);
    w.byte(48 + fraction);
  }
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
const FM_ERRORS = fragment(',\\"errors\\":');
const FM_SELF = fragment(',\\"self\\":');
const FM_CLOSE = fragment('}"');
const NULL = fragment('null');
const MS_WORD = fragment(' ms');
const ERROR_WORD = fragment(' [error]');
const INCOMPLETE_WORD = fragment(' [incomplete]');
const VERSION_HOST = fragment('{"version":"1.1","host":');
const SHORT_MESSAGE = fragment(',"short_message":');
const FULL_MESSAGE = fragment(',"full_message":');
const TIMESTAMP = fragment(',"timestamp":');
const TRACE_ID_FIELD = fragment(',"_trace_id":');
const SPAN_ID_FIELD = fragment(',"_span_id":');
const TRACE_SAMPLED = fragment(',"_trace_sampled":1');
const TRACE_NOT_SAMPLED = fragment(',"_trace_sampled":0');
const REQUEST = fragment(',"_request":');
const DURATION = fragment(',"_duration_ms":');
const STATUS = fragment(',"_status":');
const STATUS_MESSAGE = fragment(',"_status_message":');
const SPANS = fragment(',"_spans":');
const FOLDED = fragment(',"_folded":');
const OPEN_CHILDREN = fragment(',"_open_children":');
const OPS_OMITTED = fragment(',"_ops_omitted":');
const OPS_FOLDED = fragment(',"_ops_folded":');
const SELF_MS = fragment(',"_self_ms":');
/** The `_<kind>_count` and `_<kind>_ms` names of one kind of the summary's breakdown. */
interface WorkFields {
  readonly count: Uint8Array;
  readonly ms: Uint8Array;
}
function workFields(stem: string): WorkFields {
  return { count: fragment(`,"_${stem}_count":`), ms: fragment(`,"_${stem}_ms":`) };
}
const DB_FIELDS = workFields('db');
const HTTP_CLIENT_FIELDS = workFields('http_client');
const RPC_FIELDS = workFields('rpc');
const MESSAGING_FIELDS = workFields('messaging');
const OTHER_FIELDS = workFields('other');
const LEVEL_INFO = fragment(',"level":6');
const LEVEL_ERROR = fragment(',"level":3');
const INCOMPLETE = fragment(',"_incomplete":1');
const COMPLETE = fragment(',"_incomplete":0');
const SERVICE_NAME_FIELD: PlannedField = { bytes: fragment(',"_service_name":'), kind: 2 };
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
    // GELF requires a non-blank host (the exporter refuses one at construction).
    lastHostJson =
      typeof host === 'string' && !isGraylogBlank(host) ? jsonString(host, cap) : '"unknown"';
    lastHostAscii = Buffer.byteLength(lastHostJson, 'utf8') === lastHostJson.length;
  }
  return lastHostJson;
}

/** A string value as JSON text, cut to `cap` UTF-8 bytes. */
function jsonString(s: string, cap: number): string {
  return JSON.stringify(truncateUtf8(s, cap));
}

/** A string value as JSON text, cut to `cap` UTF-8 bytes (plain ASCII is copied as it is). */
function writeString(w: ByteWriter, s: string, cap: number): void {
  if (!w.plainString(s, cap)) w.utf8(jsonString(s, cap));
}

/**
 * Milliseconds rounded to µs, always with a fraction (`20.0`: the first value of a new field
 * decides its mapping, and `20` would make it an integer field). Negative values are 0; ms must
 * not be NaN.
 */
function writeMs(w: ByteWriter, ms: number): void {
  const micros = ms > 0 ? Math.round(ms * 1000) : 0;
  if (micros > MAX_FAST_MICROS) {
    // Beyond ~1e305 the product overflows: keep the value as it is.
    const rounded = micros / 1000;
    writeFloat(w, rounded < Infinity ? rounded : ms);
    return;
  }
  const whole = (micros / 1000) | 0;
  const fraction = micros - whole * 1000;
  w.uint(whole);
  if (fraction !== 0) w.fraction(fraction);
  else w.bytes(POINT_ZERO);
}
const POINT_ZERO = fragment('.0');

/** A finite number as a JSON number with a fraction or an exponent, so it reads as floating point. */
function writeFloat(w: ByteWriter, n: number): void {
  if (n >= 0 && n <= 0x7fffffff && (n | 0) === n) {
    w.uint(n);
    w.bytes(POINT_ZERO);
    return;
  }
  const text = `${n}`;
  w.ascii(text);
  if (!text.includes('.') && !text.includes('e')) w.bytes(POINT_ZERO);
}

/**
 * An attribute field. Its type is pinned by its first value: numbers are written as floating
 * point (`200.0`, so a later `200.5` is not truncated), a number into a string field as a string,
 * a string into a number field left out (counted); booleans and arrays are strings; non-finite
 * numbers and anything else are left out.
 */
function writeAttribute(
  w: ByteWriter,
  field: PlannedField | undefined,
  v: SummaryAttributeValue,
  cap: number,
  budget: FieldBudget,
): void {
  if (field === undefined) return;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return;
    if (field.kind === 0) field.kind = 1;
    w.bytes(field.bytes);
    if (field.kind === 1) writeFloat(w, v);
    else w.ascii(`"${v}"`);
    return;
  }
  let text: string;
  if (typeof v === 'string') text = v;
  else if (typeof v === 'boolean') text = v ? 'true' : 'false';
  else if (Array.isArray(v)) text = v.join(',');
  else return;
  if (field.kind === 1) {
    budget.typeConflicts++;
    return;
  }
  field.kind = 2;
  w.bytes(field.bytes);
  if (typeof v === 'boolean') w.bytes(v ? TRUE : FALSE);
  else writeString(w, text, cap);
}

/**
 * `full_message` as a JSON string literal. The usual case writes the escaped text directly (the
 * operation keys come pre-escaped from the plan); only a message that might exceed `cap` is read
 * back, cut and escaped.
 */
function writeFullMessage(
  w: ByteWriter,
  operations: OperationSummary[],
  plan: FieldPlan,
  cap: number,
): void {
  const start = w.pos;
  writeOperationsJson(w, operations, plan);
  // The plain text is no longer than the escaped one, so within cap / 3 bytes it needs no cut.
  if ((w.pos - start) * 3 <= cap) return;
  const text = JSON.parse(w.buf.toString('utf8', start, w.pos)) as string;
  w.pos = start;
  w.utf8(jsonString(text, cap));
}

/**
 * The operations in the seed's shape, `{"name": {"num_calls", "min", "max", "mean", "values"}}`,
 * with `"errors"` when not 0 and `"self"` (the self time, summed) when the summary has it, as an
 * escaped JSON string literal.
 */
function writeOperationsJson(w: ByteWriter, operations: OperationSummary[], plan: FieldPlan): void {
  const keys = plan.fullMessageKeys;
  w.bytes(FM_OPEN);
  for (let i = 0; i < operations.length; i++) {
    const op = operations[i]!;
    if (i > 0) w.byte(0x2c);
    w.bytes(keys[i]!);
    w.bytes(FM_NUM_CALLS);
    const calls = count(op.count);
    w.uint(calls);
    w.bytes(FM_MIN);
    writeJsonNumber(w, op.minMs);
    w.bytes(FM_MAX);
    writeJsonNumber(w, op.maxMs);
    w.bytes(FM_MEAN);
    writeJsonNumber(w, calls > 0 ? op.sumMs / calls : 0);
    w.bytes(FM_VALUES);
    const last = op.lastMs;
    for (let j = 0; j < last.length; j++) {
      if (j > 0) w.byte(0x2c);
      writeJsonNumber(w, last[j]!);
    }
    w.byte(0x5d);
    const errors = count(op.errors);
    if (errors > 0) {
      w.bytes(FM_ERRORS);
      w.uint(errors);
    }
    const selfMs = op.selfMs;
    if (typeof selfMs === 'number' && finite(selfMs)) {
      w.bytes(FM_SELF);
      writeMs(w, selfMs);
    }
    w.byte(0x7d);
  }
  w.bytes(FM_CLOSE);
}

/** The plain text of `full_message`, uncut (for the size policy). */
function operationsText(operations: OperationSummary[], plan: FieldPlan): string {
  const w = new ByteWriter(4096);
  writeOperationsJson(w, operations, plan);
  return JSON.parse(w.buf.toString('utf8', 0, w.pos)) as string;
}

function writeJsonNumber(w: ByteWriter, n: number): void {
  if (Number.isFinite(n)) writeMs(w, n);
  else w.bytes(NULL);
}

/** Whether `ms` can be written as a duration (NaN and ±Infinity cannot). */
function finite(ms: number): boolean {
  return Number.isFinite(ms);
}

/** One statistic of an operation (an index into OPERATION_STATISTICS), left out when it has no value. */
function writeStatistic(
  w: ByteWriter,
  name: Uint8Array,
  op: OperationSummary,
  statistic: number,
): void {
  switch (statistic) {
    case 0:
      w.bytes(name);
      w.uint(count(op.count));
      return;
    case 1:
      if (finite(op.minMs)) {
        w.bytes(name);
        writeMs(w, op.minMs);
      }
      return;
    case 2:
      if (finite(op.maxMs)) {
        w.bytes(name);
        writeMs(w, op.maxMs);
      }
      return;
    case 3:
      if (finite(op.sumMs)) {
        w.bytes(name);
        writeMs(w, op.sumMs);
      }
      return;
    case 4: {
      const calls = count(op.count);
      if (finite(op.sumMs) && calls > 0) {
        w.bytes(name);
        writeMs(w, op.sumMs / calls);
      }
      return;
    }
    case 5:
      w.bytes(name);
      w.uint(count(op.errors));
      return;
    case 6:
      writeSamples(w, name, op.lastMs);
      return;
    case 7: {
      const selfMs = op.selfMs;
      if (typeof selfMs === 'number' && finite(selfMs)) {
        w.bytes(name);
        writeMs(w, selfMs);
      }
      return;
    }
  }
}

/** `_last_ms`: the samples joined with commas (a GELF value is a string or a number). */
function writeSamples(w: ByteWriter, name: Uint8Array, last: number[]): void {
  if (last.length === 0) return;
  w.bytes(name);
  w.byte(0x22);
  let first = true;
  for (let j = 0; j < last.length; j++) {
    const v = last[j]!;
    if (!finite(v)) continue;
    if (!first) w.byte(0x2c);
    first = false;
    writeMs(w, v);
  }
  w.byte(0x22);
}

/** What the operations folded into the bucket add up to. */
interface Bucket {
  entries: number;
  count: number;
  minMs: number;
  maxMs: number;
  sumMs: number;
  errors: number;
  /** NaN until an operation with a self time is added. */
  selfMs: number;
}

function addToBucket(b: Bucket, op: OperationSummary): void {
  b.entries++;
  b.count += count(op.count);
  if (finite(op.minMs) && op.minMs < b.minMs) b.minMs = op.minMs;
  if (finite(op.maxMs) && op.maxMs > b.maxMs) b.maxMs = op.maxMs;
  if (finite(op.sumMs)) b.sumMs += op.sumMs;
  b.errors += count(op.errors);
  const selfMs = op.selfMs;
  if (typeof selfMs === 'number' && finite(selfMs)) b.selfMs = (b.selfMs || 0) + selfMs;
}

/** `_ops_folded` and `_ops_other_<statistic>` of the folded operations. */
function writeBucket(w: ByteWriter, b: Bucket, budget: FieldBudget): void {
  w.bytes(OPS_FOLDED);
  w.uint(b.entries);
  const statistics = budget.statistics;
  const names = budget.bucket;
  for (let i = 0; i < statistics.length; i++) {
    const name = names[i]!;
    switch (statistics[i]) {
      case 0:
        w.bytes(name);
        w.uint(count(b.count));
        break;
      case 1:
        if (b.minMs !== Infinity) {
          w.bytes(name);
          writeMs(w, b.minMs);
        }
        break;
      case 2:
        if (b.maxMs !== -Infinity) {
          w.bytes(name);
          writeMs(w, b.maxMs);
        }
        break;
      case 3:
        if (finite(b.sumMs)) {
          w.bytes(name);
          writeMs(w, b.sumMs);
        }
        break;
      case 4:
        if (b.count > 0 && finite(b.sumMs)) {
          w.bytes(name);
          writeMs(w, b.sumMs / b.count);
        }
        break;
      case 5:
        w.bytes(name);
        w.uint(count(b.errors));
        break;
      // 6 (last_ms): samples of different operations do not add up.
      case 7:
        if (finite(b.selfMs)) {
          w.bytes(name);
          writeMs(w, b.selfMs);
        }
        break;
    }
  }
}

/**
 * Writes the message as UTF-8 JSON, field by field, in the order of {@link GelfMessage}; returns
 * its size in bytes.
 */
function serialize(
  w: ByteWriter,
  summary: RequestSummary,
  host: string,
  limits: Limits,
  budget: FieldBudget,
): number {
  w.pos = 0;
  const cap = limits.valueCap;
  const plan = budget.plan(summary);
  const operations = summary.operations;
  w.bytes(VERSION_HOST);
  const hostText = hostJson(host, cap);
  if (lastHostAscii) w.ascii(hostText);
  else w.utf8(hostText);
  w.bytes(SHORT_MESSAGE);
  writeShortMessage(w, summary, cap);
  if (operations.length > 0 && limits.fullMessageCap > 0) {
    w.bytes(FULL_MESSAGE);
    writeFullMessage(w, operations, plan, limits.fullMessageCap);
  }
  const startTimeMs = summary.startTimeMs;
  if (startTimeMs >= MIN_TIMESTAMP_MS && startTimeMs < MAX_TIMESTAMP_MS) {
    w.bytes(TIMESTAMP);
    writeSeconds(w, startTimeMs);
  }
  // Syslog 3 (error) or 6 (info).
  w.bytes(summary.status.code === 2 ? LEVEL_ERROR : LEVEL_INFO);

  writeId(w, TRACE_ID_FIELD, summary.traceId, 32);
  writeId(w, SPAN_ID_FIELD, summary.spanId, 16);
  // Whether the trace reached the tracing backend (every request is summarised, sampled or not).
  if (summary.sampled !== undefined) w.bytes(summary.sampled ? TRACE_SAMPLED : TRACE_NOT_SAMPLED);
  w.bytes(REQUEST);
  writeString(w, typeof summary.name === 'string' ? summary.name : String(summary.name), cap);
  if (finite(summary.durationMs)) {
    w.bytes(DURATION);
    writeMs(w, summary.durationMs);
  }
  w.bytes(STATUS);
  w.bytes(STATUS_BYTES[summary.status.code] ?? UNSET);
  const statusMessage = summary.status.message;
  if (typeof statusMessage === 'string' && statusMessage.length > 0) {
    w.bytes(STATUS_MESSAGE);
    writeString(w, statusMessage, cap);
  }
  const serviceName = summary.resource[SERVICE_NAME];
  if (serviceName !== undefined) writeAttribute(w, SERVICE_NAME_FIELD, serviceName, cap, budget);
  const counters = summary.counters;
  w.bytes(SPANS);
  w.uint(count(counters.spans));
  w.bytes(FOLDED);
  w.uint(count(counters.folded));
  w.bytes(OPEN_CHILDREN);
  w.uint(count(counters.openChildren));
  w.bytes(summary.incomplete ? INCOMPLETE : COMPLETE);
  writeTimes(w, summary);
  const omitted = limits.omitted;
  if (omitted !== undefined && omitted.size > 0) {
    w.bytes(OPS_OMITTED);
    w.uint(omitted.size);
  }

  let i = 0;
  for (const key in summary.attributes) {
    writeAttribute(w, plan.attributes[i++], summary.attributes[key]!, cap, budget);
  }
  i = 0;
  for (const key in summary.resource) {
    writeAttribute(w, plan.resource[i++], summary.resource[key]!, cap, budget);
  }
  const annotations = summary.annotations;
  if (annotations !== undefined) {
    i = 0;
    for (const key in annotations) {
      writeAttribute(w, plan.annotations[i++], annotations[key]!, cap, budget);
    }
  }

  const statistics = budget.statistics;
  const opSizes = limits.opSizes;
  let bucket: Bucket | undefined;
  for (let k = 0; k < operations.length; k++) {
    const op = operations[k]!;
    const names = plan.operations[k];
    if (names === undefined) {
      bucket ??= {
        entries: 0,
        count: 0,
        minMs: Infinity,
        maxMs: -Infinity,
        sumMs: 0,
        errors: 0,
        selfMs: Number.NaN,
      };
      addToBucket(bucket, op);
      continue;
    }
    if (omitted?.has(k)) continue;
    const start = w.pos;
    for (let s = 0; s < statistics.length; s++) writeStatistic(w, names[s]!, op, statistics[s]!);
    if (opSizes !== undefined) opSizes[k] = w.pos - start;
  }
  if (bucket !== undefined && !budget.compact) writeBucket(w, bucket, budget);
  w.byte(0x7d);
  return w.pos;
}

/** `_self_ms` and the breakdown fields (`_db_count`, `_db_ms` …), when the summary has them. */
function writeTimes(w: ByteWriter, summary: RequestSummary): void {
  const selfMs = summary.selfMs;
  if (typeof selfMs === 'number' && finite(selfMs)) {
    w.bytes(SELF_MS);
    writeMs(w, selfMs);
  }
  const breakdown = summary.breakdown;
  if (typeof breakdown !== 'object' || breakdown === null) return;
  // One call per kind, with its property read by name: a loop over the keys made each read a
  // keyed lookup, 5 % of the mapping in the service's profile.
  writeWork(w, breakdown.db, DB_FIELDS);
  writeWork(w, breakdown.httpClient, HTTP_CLIENT_FIELDS);
  writeWork(w, breakdown.rpc, RPC_FIELDS);
  writeWork(w, breakdown.messaging, MESSAGING_FIELDS);
  writeWork(w, breakdown.other, OTHER_FIELDS);
}

/** `_<kind>_count` and `_<kind>_ms` of one kind of work, when the breakdown has it. */
function writeWork(w: ByteWriter, kind: WorkSummary | undefined, names: WorkFields): void {
  if (typeof kind !== 'object' || kind === null) return;
  w.bytes(names.count);
  w.uint(count(kind.count));
  if (finite(kind.ms)) {
    w.bytes(names.ms);
    writeMs(w, kind.ms);
  }
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

/** An id field, when the id is what OpenTelemetry makes: `length` lowercase hex digits, not all zeros. */
function writeId(w: ByteWriter, name: Uint8Array, id: string, length: number): void {
  if (typeof id !== 'string' || id.length !== length) return;
  const start = w.pos;
  w.bytes(name);
  if (!w.hexString(id) || (id.charCodeAt(0) === 0x30 && ZERO_ID.test(id))) w.pos = start;
}

/** Applies the size policy of {@link ToGelfOptions.maxBytes}; see there. */
function fit(
  w: ByteWriter,
  summary: RequestSummary,
  options: ToGelfOptions,
  budget: FieldBudget,
): boolean {
  const maxBytes = options.maxBytes!;
  const valueCap = options.maxValueBytes ?? MAX_VALUE_BYTES;
  let size = w.pos;
  const limits: Limits = { valueCap, fullMessageCap: valueCap, omitted: new Set(), opSizes: [] };
  const rebuild = (): boolean => {
    size = serialize(w, summary, options.host, limits, budget);
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
      .filter((k) => sizes[k] !== undefined)
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
  let fullBytes =
    operations.length > 0
      ? Buffer.byteLength(operationsText(operations, budget.plan(summary)), 'utf8')
      : 0;
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
    const budget = options.budget ?? processBudget;
    const size = serialize(
      w,
      summary,
      options.host,
      { valueCap, fullMessageCap: valueCap, omitted: undefined, opSizes: undefined },
      budget,
    );
    const maxBytes = options.maxBytes;
    if (maxBytes !== undefined && size > maxBytes && !fit(w, summary, options, budget)) {
      return undefined;
    }
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

const viewPayload = (w: ByteWriter): Buffer => w.buf.subarray(0, w.pos);

/**
 * {@link toGelfPayload} without its copy, for a transport that copies what it keeps anyway
 * (chunks, a compressed body, a TCP frame): `use` gets the bytes in the mapping's scratch buffer,
 * valid only until it returns.
 *
 * @returns what `use` returned, or undefined (and `use` is not called) when the message cannot
 * fit `maxBytes`
 */
export function withGelfPayload<T>(
  summary: RequestSummary,
  options: ToGelfOptions,
  use: (payload: Buffer) => T,
): T | undefined {
  return encode(summary, options, (w) => use(viewPayload(w)));
}
