/**
 * GELF additional field names: `_` followed by `[A-Za-z0-9_-]`, at most
 * {@link MAX_FIELD_NAME_LENGTH} characters, unique within a message, never one Graylog reserves.
 */

/** Longest additional field name we emit, `_` included. */
const MAX_FIELD_NAME_LENGTH = 128;

/**
 * Names Graylog refuses or treats specially once it strips the leading `_`: `_id` is dropped, the
 * others would shadow a field of the stored message. An attribute mapping to one gets a suffix.
 */
const RESERVED = [
  '_id',
  '_message',
  '_source',
  '_timestamp',
  '_full_message',
  '_short_message',
  '_level',
  '_streams',
  '_version',
  '_host',
  '_facility',
  '_line',
  '_file',
];

// Dots are legal in GELF names but become object paths in Elasticsearch/OpenSearch (so
// `http.route` and `http` would conflict) and make gelf-pro warn: they are replaced as well.
const INVALID_CHARS = /[^A-Za-z0-9_-]/g;
const VALID = /^[A-Za-z0-9_-]*$/;

/** Replaces every character outside `[A-Za-z0-9_-]` with `_` (so `http.route` → `http_route`). */
function sanitizeName(name: string): string {
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
function boundName(sanitized: string, original: string, max: number): string {
  if (sanitized.length <= max) return sanitized;
  return `${sanitized.slice(0, Math.max(0, max - 9))}_${shortHash(original)}`;
}

/** A fresh set of the names no attribute or operation may take: Graylog's reserved ones. */
export function reservedNames(): Set<string> {
  return new Set(RESERVED);
}

/**
 * Claims a free name in `used`: `name` itself when free, else the first free `name_N` (N ≥ 2),
 * cut so it stays within {@link MAX_FIELD_NAME_LENGTH}.
 */
export function claimName(used: Set<string>, name: string): string {
  let candidate = name;
  for (let n = 2; used.has(candidate); n++) {
    const suffix = `_${n}`;
    candidate =
      name.length + suffix.length <= MAX_FIELD_NAME_LENGTH
        ? name + suffix
        : name.slice(0, MAX_FIELD_NAME_LENGTH - suffix.length) + suffix;
  }
  used.add(candidate);
  return candidate;
}

const CACHE_LIMIT = 4096;
const attributeNames = new Map<string, string>();

/**
 * The additional field name for an attribute key (`http.route` → `_http_route`), bounded, not
 * yet made unique. Memoised: the same few keys come back on every request.
 */
export function attributeFieldName(key: string): string {
  let name = attributeNames.get(key);
  if (name === undefined) {
    name = `_${boundName(sanitizeName(key), key, MAX_FIELD_NAME_LENGTH - 1)}`;
    if (attributeNames.size >= CACHE_LIMIT) attributeNames.clear();
    attributeNames.set(key, name);
  }
  return name;
}

/** Longest per-operation suffix (`_mean_ms`), so every field of an operation shares one stem. */
const LONGEST_OP_SUFFIX = 8;
const OP_PREFIX = '_op_';
const opStems = new Map<string, string>();

/**
 * `_op_<name>` for an operation, bounded so that `_op_<name>_mean_ms` (and a `_N` made-unique
 * suffix of up to 4 characters) fits in {@link MAX_FIELD_NAME_LENGTH}. Memoised.
 */
export function operationStem(name: string): string {
  let stem = opStems.get(name);
  if (stem === undefined) {
    const room = MAX_FIELD_NAME_LENGTH - OP_PREFIX.length - LONGEST_OP_SUFFIX - 4;
    stem = OP_PREFIX + boundName(sanitizeName(name), name, room);
    if (opStems.size >= CACHE_LIMIT) opStems.clear();
    opStems.set(name, stem);
  }
  return stem;
}
