/** Graylog's largest indexable term: a longer value fails indexing ("immense term"). */
export const GRAYLOG_MAX_TERM_BYTES = 32_766;

const STANDARD_FIELDS = new Set([
  'version',
  'host',
  'short_message',
  'full_message',
  'timestamp',
  'level',
  'facility',
  'line',
  'file',
]);
const DEPRECATED_FIELDS = ['facility', 'line', 'file'] as const;
const ADDITIONAL_FIELD_NAME = /^_[\w.-]*$/;
// A timestamp beyond this (year 5138 in seconds) is almost surely milliseconds.
const MAX_PLAUSIBLE_SECONDS = 1e11;

/**
 * Checks a parsed message against GELF 1.1 and the rules Graylog applies when it stores one.
 * Pure; never throws. Returns one readable line per violation, empty when the message is fine.
 *
 * Rules: `version` is "1.1"; `host` and `short_message` are non-empty strings; `full_message`
 * is a string; `timestamp`, when present, is a number (seconds); `level`, when present, an
 * integer 0–7; `facility`, `line` and `file` are deprecated; every other field is an additional
 * field named `^_[\w.-]*$`, not `_id`, whose value is a string or a number (Graylog stores
 * objects and arrays as strings and drops null and booleans); no string value is longer than
 * 32 766 UTF-8 bytes.
 */
export function validateGelf(obj: unknown): string[] {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    return [`message is not a JSON object (got ${describe(obj)})`];
  }
  const msg = obj as Record<string, unknown>;
  const violations: string[] = [];

  if (!('version' in msg)) violations.push('version is missing (must be "1.1")');
  else if (msg.version !== '1.1') {
    violations.push(`version must be "1.1" (got ${describe(msg.version)})`);
  }
  requireText(msg, 'host', violations);
  requireText(msg, 'short_message', violations);
  if ('full_message' in msg && typeof msg.full_message !== 'string') {
    violations.push(`full_message must be a string (got ${describe(msg.full_message)})`);
  }
  if ('timestamp' in msg) {
    const ts = msg.timestamp;
    if (typeof ts !== 'number' || !Number.isFinite(ts)) {
      violations.push(`timestamp must be a number of seconds (got ${describe(ts)})`);
    } else if (ts > MAX_PLAUSIBLE_SECONDS) {
      violations.push(`timestamp ${ts} looks like milliseconds (GELF wants seconds)`);
    } else if (ts < 0) {
      violations.push(`timestamp ${ts} is negative`);
    }
  }
  if ('level' in msg) {
    const level = msg.level;
    if (typeof level !== 'number' || !Number.isInteger(level) || level < 0 || level > 7) {
      violations.push(`level must be an integer 0–7 (got ${describe(level)})`);
    }
  }
  for (const name of DEPRECATED_FIELDS) {
    if (name in msg) violations.push(`${name} is deprecated in GELF 1.1 (send _${name} instead)`);
  }

  for (const key of Object.keys(msg)) {
    const value = msg[key];
    if (!STANDARD_FIELDS.has(key)) {
      if (!ADDITIONAL_FIELD_NAME.test(key)) {
        violations.push(
          key.startsWith('_')
            ? `field name ${JSON.stringify(key)} does not match ^_[\\w.-]*$`
            : `field ${JSON.stringify(key)} is not a GELF field and lacks the _ prefix`,
        );
      } else if (key === '_id') {
        violations.push('field _id is forbidden (Graylog drops it)');
      }
      if (typeof value !== 'string' && typeof value !== 'number') {
        violations.push(`field ${key} must be a string or a number (got ${describe(value)})`);
      }
    }
    // Three bytes per UTF-16 unit is the most UTF-8 can need: skip the count for short strings.
    if (typeof value === 'string' && value.length * 3 > GRAYLOG_MAX_TERM_BYTES) {
      const bytes = Buffer.byteLength(value, 'utf8');
      if (bytes > GRAYLOG_MAX_TERM_BYTES) {
        violations.push(
          `field ${key} is ${bytes} UTF-8 bytes, over Graylog's ${GRAYLOG_MAX_TERM_BYTES}-byte term limit`,
        );
      }
    }
  }
  return violations;
}

function requireText(msg: Record<string, unknown>, key: string, out: string[]): void {
  const value = msg[key];
  if (value === undefined) out.push(`${key} is missing`);
  else if (typeof value !== 'string') out.push(`${key} must be a string (got ${describe(value)})`);
  else if (value.trim() === '') out.push(`${key} must not be empty`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string': {
      const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
      return `string ${JSON.stringify(shown)}`;
    }
    case 'number':
    case 'boolean':
      return `${typeof value} ${String(value)}`;
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}
