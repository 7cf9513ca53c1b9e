import type { Attributes } from '@opentelemetry/api';
import { QUERY_STRIPPED_ATTRIBUTES } from './options.js';
import type { SummaryAttributes, SummaryAttributeValue } from './types.js';

/** Cuts `?query` and `#fragment` off a path: they may carry tokens and personal data. */
function stripQuery(value: string): string {
  const q = value.indexOf('?');
  const h = value.indexOf('#');
  const cut = q === -1 ? h : h === -1 ? q : Math.min(q, h);
  return cut === -1 ? value : value.slice(0, cut);
}

function copyValue(key: string, value: unknown): SummaryAttributeValue | undefined {
  switch (typeof value) {
    case 'string':
      return QUERY_STRIPPED_ATTRIBUTES.includes(key) ? stripQuery(value) : value;
    case 'number':
    case 'boolean':
      return value;
    default:
      if (!Array.isArray(value)) return undefined;
      // Copied so that a summary never aliases the span's own arrays; null holes are dropped.
      return value.filter(
        (v): v is string | number | boolean =>
          typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean',
      );
  }
}

/** The attributes named in `allowlist` that `attributes` holds, as plain data. */
export function pickAttributes(
  attributes: Attributes | undefined,
  allowlist: ReadonlySet<string>,
): SummaryAttributes {
  const picked: SummaryAttributes = {};
  if (attributes === undefined || attributes === null) return picked;
  // A span has fewer attributes than the allowlist has names, and a missing key is the slowest
  // property lookup there is: walk the span's keys and test each against the set.
  for (const key in attributes) {
    if (!allowlist.has(key)) continue;
    const value = copyValue(key, attributes[key]);
    if (value !== undefined) picked[key] = value;
  }
  return picked;
}
