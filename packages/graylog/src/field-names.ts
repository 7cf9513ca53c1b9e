/**
 * GELF additional field names that Graylog keeps: `_` followed by `[A-Za-z0-9_-]`, at most
 * {@link MAX_FIELD_NAME_LENGTH} bytes, never a name Graylog strips, reserves or uses itself.
 */

/** Longest additional field name we emit, `_` included (ASCII, so bytes = characters). */
export const MAX_FIELD_NAME_LENGTH = 128;

/**
 * What a name may not be once Graylog has stripped its leading `_`: the message's standard and
 * stored fields (Graylog would overwrite or shadow them), `id` (GELF forbids `_id`) and the
 * Elasticsearch/OpenSearch meta fields (`_id`, `_source` … after the strip: Graylog drops them).
 * Compared in lowercase, so `_Source` is refused as well.
 */
const RESERVED_AFTER_STRIP = new Set([
  'id',
  'message',
  'source',
  'timestamp',
  'full_message',
  'short_message',
  'level',
  'streams',
  'version',
  'host',
  'facility',
  'line',
  'file',
  '_id',
  '_source',
  '_ttl',
  '_all',
  '_index',
  '_type',
  '_score',
]);
/** Graylog's own prefix (`gl2_source_input` …), after the strip. */
const GRAYLOG_PREFIX = 'gl2_';

/** Whether Graylog would drop, reserve or overwrite the field `name` (`_` + something). */
export function isReservedName(name: string): boolean {
  const stripped = name.slice(1).toLowerCase();
  return RESERVED_AFTER_STRIP.has(stripped) || stripped.startsWith(GRAYLOG_PREFIX);
}

// Dots are legal in GELF names but become object paths in Elasticsearch/OpenSearch (so
// `http.route` and `http` would conflict) and make gelf-pro warn: they are replaced as well.
const INVALID_CHARS = /[^A-Za-z0-9_-]/g;
const VALID = /^[A-Za-z0-9_-]*$/;

/** Replaces every character outside `[A-Za-z0-9_-]` with `_` (so `http.route` → `http_route`). */
export function sanitizeName(name: string): string {
  return VALID.test(name) ? name : name.replace(INVALID_CHARS, '_');
}

/** FNV-1a, 32 bits, as 8 hex digits: a short, stable tag that keeps cut names distinct. */
function shortHash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/**
 * Bounds a sanitised name to `max` characters: a longer one keeps its start and ends with `_`
 * and a hash of the whole original, so two long names differing only at the end stay distinct.
 */
export function boundName(sanitized: string, original: string, max: number): string {
  if (sanitized.length <= max) return sanitized;
  return `${sanitized.slice(0, Math.max(0, max - 9))}_${shortHash(original)}`;
}

/**
 * `base` made distinct: `base` itself for n = 1, else `base_n`, cut so that the whole stays
 * within `max` characters.
 */
export function numbered(base: string, n: number, max: number): string {
  if (n === 1) return base.length <= max ? base : base.slice(0, max);
  const suffix = `_${n}`;
  return base.slice(0, max - suffix.length) + suffix;
}

/**
 * The stem of an attribute-like key's field (`http.route` → `_http_route`), bounded, not yet made
 * unique. Leading underscores of the key are dropped (`_id` → `_id`, not `__id`: Graylog strips
 * one `_` and would then see the meta field `_id`); a key of nothing but them becomes `_attr`.
 * A Graylog-internal name (`gl2_x`) becomes `_user_gl2_x`.
 */
export function attributeStem(key: string): string {
  let sanitized = sanitizeName(key);
  let start = 0;
  while (start < sanitized.length && sanitized.charCodeAt(start) === 0x5f) start++;
  sanitized = start === sanitized.length ? 'attr' : sanitized.slice(start);
  if (sanitized.toLowerCase().startsWith(GRAYLOG_PREFIX)) sanitized = `user_${sanitized}`;
  return `_${boundName(sanitized, key, MAX_FIELD_NAME_LENGTH - 1)}`;
}

/** Prefix of per-operation fields; the fold bucket's `_ops_` can never be one. */
export const OP_PREFIX = '_op_';

/**
 * `_op_<name>` for an operation, bounded so that the stem plus `room` more characters (the
 * longest statistic suffix and a made-unique `_N`) fits in {@link MAX_FIELD_NAME_LENGTH}.
 */
export function operationStem(name: string, room: number): string {
  return (
    OP_PREFIX + boundName(sanitizeName(name), name, MAX_FIELD_NAME_LENGTH - OP_PREFIX.length - room)
  );
}
