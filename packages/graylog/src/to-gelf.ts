import type {
  OperationSummary,
  RequestSummary,
  SummaryAttributeValue,
} from '@otel-gelf/request-summary';
import { attributeFieldName, claimName, isReservedName, operationStem } from './field-names.js';
import type { GelfFieldValue, GelfMessage } from './types.js';
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
const STATUS_NAMES = ['unset', 'ok', 'error'] as const;
const SERVICE_NAME = 'service.name';
const LEVEL_INFO = 6;
const LEVEL_ERROR = 3;
const MIN_VALUE_BYTES = 64;

/** Rounds milliseconds to microseconds (3 decimals), cheaper than `toFixed` and stays a number. */
function us(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** A number as JSON text: non-finite values have no JSON form, so they become null. */
function jsonNumber(n: number): string {
  return Number.isFinite(n) ? String(us(n)) : 'null';
}

function attributeValue(v: SummaryAttributeValue, cap: number): GelfFieldValue | undefined {
  switch (typeof v) {
    case 'string':
      return truncateUtf8(v, cap);
    case 'number':
      return Number.isFinite(v) ? v : String(v);
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      return Array.isArray(v) ? truncateUtf8(v.join(','), cap) : undefined;
  }
}

/** The operations in the seed's shape: `{"name": {"num_calls", "min", "max", "mean", "values"}}`. */
function operationsJson(operations: OperationSummary[]): string {
  let out = '{';
  for (let i = 0; i < operations.length; i++) {
    const op = operations[i]!;
    if (i > 0) out += ',';
    out += `${JSON.stringify(op.name)}:{"num_calls":${op.count},"min":${jsonNumber(op.minMs)},"max":${jsonNumber(op.maxMs)},"mean":${jsonNumber(op.count > 0 ? op.sumMs / op.count : 0)},"values":[`;
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
  if (Number.isFinite(summary.durationMs)) out += ` ${Math.round(summary.durationMs * 10) / 10} ms`;
  if (summary.status.code === 2) out += ' [error]';
  if (summary.incomplete) out += ' [incomplete]';
  return out;
}

function setNumber(msg: Record<string, unknown>, name: string, n: number): void {
  if (Number.isFinite(n)) msg[name] = n;
}

interface Limits {
  /** Longest string value. */
  valueCap: number;
  /** Longest `full_message` (0 = left out). */
  fullMessageCap: number;
  /** Operations whose `_op_*` fields are left out (indexes into `operations`). */
  omitted: Set<number> | undefined;
  /** When set, receives the field names of each operation, by index. */
  opFields: string[][] | undefined;
}

function addAttributes(
  msg: Record<string, unknown>,
  attributes: RequestSummary['attributes'],
  cap: number,
  skip: string | undefined,
): void {
  for (const key in attributes) {
    if (key === skip) continue;
    const value = attributeValue(attributes[key]!, cap);
    if (value !== undefined) msg[claimName(msg, attributeFieldName(key))] = value;
  }
}

const OP_SUFFIXES = ['_count', '_min_ms', '_max_ms', '_sum_ms', '_mean_ms', '_errors', '_last_ms'];

/** The `_op_<name>` stem for an operation, made unique against the fields already in `msg`. */
function freeStem(msg: Record<string, unknown>, base: string): string {
  for (let n = 1; ; n++) {
    const stem = n === 1 ? base : `${base}_${n}`;
    let free = true;
    for (const suffix of OP_SUFFIXES) {
      const name = stem + suffix;
      if (msg[name] !== undefined || isReservedName(name)) {
        free = false;
        break;
      }
    }
    if (free) return stem;
  }
}

function build(summary: RequestSummary, host: string, limits: Limits): GelfMessage {
  const cap = limits.valueCap;
  const fullMessage =
    summary.operations.length > 0 && limits.fullMessageCap > 0
      ? truncateUtf8(operationsJson(summary.operations), limits.fullMessageCap)
      : undefined;
  const msg: Record<string, unknown> = {
    version: '1.1',
    // GELF requires a non-blank host.
    host: host.trim().length > 0 ? truncateUtf8(host, cap) : 'unknown',
    short_message: truncateUtf8(shortMessage(summary), cap),
  };
  if (fullMessage !== undefined) msg.full_message = fullMessage;
  if (Number.isFinite(summary.startTimeMs)) msg.timestamp = Math.round(summary.startTimeMs) / 1000;
  msg.level = summary.status.code === 2 ? LEVEL_ERROR : LEVEL_INFO;

  msg._trace_id = summary.traceId;
  msg._span_id = summary.spanId;
  msg._request = truncateUtf8(summary.name, cap);
  setNumber(msg, '_duration_ms', us(summary.durationMs));
  msg._status = STATUS_NAMES[summary.status.code] ?? 'unset';
  const statusMessage = summary.status.message;
  if (statusMessage !== undefined && statusMessage.length > 0) {
    msg._status_message = truncateUtf8(statusMessage, cap);
  }
  const serviceName = summary.resource[SERVICE_NAME];
  if (serviceName !== undefined) {
    const value = attributeValue(serviceName, cap);
    if (value !== undefined) msg._service_name = value;
  }
  const counters = summary.counters;
  msg._spans = counters.spans;
  msg._folded = counters.folded;
  msg._open_children = counters.openChildren;
  msg._incomplete = summary.incomplete ? 1 : 0;
  if (limits.omitted !== undefined && limits.omitted.size > 0) {
    msg._ops_omitted = limits.omitted.size;
  }

  addAttributes(msg, summary.attributes, cap, undefined);
  addAttributes(msg, summary.resource, cap, SERVICE_NAME);

  const operations = summary.operations;
  for (let i = 0; i < operations.length; i++) {
    if (limits.omitted?.has(i)) continue;
    const op = operations[i]!;
    const stem = freeStem(msg, operationStem(op.name));
    msg[`${stem}_count`] = op.count;
    setNumber(msg, `${stem}_min_ms`, us(op.minMs));
    setNumber(msg, `${stem}_max_ms`, us(op.maxMs));
    setNumber(msg, `${stem}_sum_ms`, us(op.sumMs));
    if (op.count > 0) setNumber(msg, `${stem}_mean_ms`, us(op.sumMs / op.count));
    msg[`${stem}_errors`] = op.errors;
    const last = op.lastMs;
    if (last.length > 0) {
      let joined = '';
      for (let j = 0; j < last.length; j++) {
        const v = last[j]!;
        if (Number.isFinite(v)) joined += (joined.length > 0 ? ',' : '') + us(v);
      }
      msg[`${stem}_last_ms`] = joined;
    }
    if (limits.opFields !== undefined) {
      limits.opFields[i] = OP_SUFFIXES.map((s) => stem + s).filter((n) => msg[n] !== undefined);
    }
  }
  return msg as unknown as GelfMessage;
}

/** Serialized size of `"name":value,` for fields whose names and values are ASCII. */
function fieldBytes(msg: GelfMessage, names: string[]): number {
  let bytes = 0;
  for (const name of names) {
    const value = (msg as unknown as Record<string, GelfFieldValue>)[name]!;
    bytes += name.length + 4 + String(value).length + (typeof value === 'string' ? 2 : 0);
  }
  return bytes;
}

interface Encoded {
  message: GelfMessage;
  json: string;
}

/** Applies the size policy of {@link ToGelfOptions.maxBytes}; see there. */
function fit(summary: RequestSummary, options: ToGelfOptions, first: Encoded): Encoded | undefined {
  const maxBytes = options.maxBytes!;
  const valueCap = options.maxValueBytes ?? MAX_VALUE_BYTES;
  let current = first;
  let size = Buffer.byteLength(current.json, 'utf8');
  const limits: Limits = {
    valueCap,
    fullMessageCap: valueCap,
    omitted: new Set(),
    opFields: [],
  };
  const rebuild = (): boolean => {
    limits.opFields = [];
    const message = build(summary, options.host, limits);
    current = { message, json: JSON.stringify(message) };
    size = Buffer.byteLength(current.json, 'utf8');
    return size <= maxBytes;
  };

  // 1. Leave out the per-operation fields of the operations with the least total time.
  const operations = summary.operations;
  if (operations.length > 0) {
    // Learn each operation's field names (they depend on collisions) from a full build.
    if (rebuild()) return current;
    const order = operations
      .map((_, i) => i)
      .sort((a, b) => operations[a]!.sumMs - operations[b]!.sumMs);
    const sizes = order.map((i) => fieldBytes(current.message, limits.opFields![i] ?? []));
    let k = 0;
    while (k < order.length) {
      // `_ops_omitted` itself takes ~20 bytes.
      let excess = size - maxBytes + 20;
      while (k < order.length && excess > 0) {
        limits.omitted!.add(order[k]!);
        excess -= sizes[k]!;
        k++;
      }
      if (rebuild()) return current;
    }
  }

  // 2. Cut full_message (escaping can make its serialized form longer than its bytes: repeat).
  for (let attempt = 0; attempt < 4 && current.message.full_message !== undefined; attempt++) {
    const fullBytes = Buffer.byteLength(current.message.full_message, 'utf8');
    const cap = fullBytes - (size - maxBytes) - 16;
    limits.fullMessageCap = cap >= MIN_VALUE_BYTES ? cap : 0;
    if (rebuild()) return current;
  }
  if (limits.fullMessageCap !== 0 && current.message.full_message !== undefined) {
    limits.fullMessageCap = 0;
    if (rebuild()) return current;
  }

  // 3. Cut every long string value further.
  for (let cap = valueCap >> 1; cap >= MIN_VALUE_BYTES; cap >>= 1) {
    limits.valueCap = cap;
    if (rebuild()) return current;
  }
  // 4. Nothing left to give up: the caller drops the message.
  return undefined;
}

function encode(summary: RequestSummary, options: ToGelfOptions): Encoded | undefined {
  const valueCap = options.maxValueBytes ?? MAX_VALUE_BYTES;
  const message = build(summary, options.host, {
    valueCap,
    fullMessageCap: valueCap,
    omitted: undefined,
    opFields: undefined,
  });
  const json = JSON.stringify(message);
  const maxBytes = options.maxBytes;
  if (maxBytes === undefined || fitsUtf8(json, maxBytes)) return { message, json };
  return fit(summary, options, { message, json });
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
  return encode(summary, options)?.message;
}

/**
 * {@link toGelf}, serialized: the UTF-8 JSON bytes a transport sends, at most
 * {@link ToGelfOptions.maxBytes} long.
 *
 * @returns the payload, or undefined when the message cannot fit `maxBytes`
 */
export function toGelfPayload(summary: RequestSummary, options: ToGelfOptions): Buffer | undefined {
  const encoded = encode(summary, options);
  return encoded === undefined ? undefined : Buffer.from(encoded.json, 'utf8');
}
