import type { RequestSummary } from '@otel-gelf/request-summary';
import { attributeFieldName, claimName, operationStem, reservedNames } from './field-names.js';

/** Additional fields every message may carry; attributes and operations never take these names. */
const CORE_FIELDS = [
  '_trace_id',
  '_span_id',
  '_request',
  '_duration_ms',
  '_status',
  '_status_message',
  '_service_name',
  '_spans',
  '_folded',
  '_open_children',
  '_incomplete',
  '_ops_omitted',
] as const;

/** Per-operation field suffixes, in the order they are written. */
const OP_SUFFIXES = [
  '_count',
  '_min_ms',
  '_max_ms',
  '_sum_ms',
  '_mean_ms',
  '_errors',
  '_last_ms',
] as const;

/** The resource attribute written as `_service_name`. */
export const SERVICE_NAME = 'service.name';

/**
 * The field names of one message shape, as ready-to-copy ASCII JSON fragments (`,"_name":`):
 * sanitising, bounding and de-duplicating names is the slow part of the mapping, and requests of
 * one service repeat the same attribute keys and operations.
 */
export interface FieldPlan {
  /** Per root attribute, in `for…in` order. */
  attributes: Uint8Array[];
  /**
   * Per resource attribute, in `for…in` order; empty for `service.name` (written as
   * `_service_name`).
   */
  resource: Uint8Array[];
  /** Per operation, one fragment per {@link OP_SUFFIXES} entry. */
  operations: Uint8Array[][];
  /**
   * Per operation, its name as a `full_message` key, already escaped for a JSON string
   * (`\"name\":`), in UTF-8.
   */
  fullMessageKeys: Uint8Array[];
}

const PLAN_CACHE_LIMIT = 512;
// Shapes with huge keys (hundreds of long operation names) are planned each time, not cached.
const MAX_CACHED_KEY_LENGTH = 8192;
const plans = new Map<string, FieldPlan>();

const EMPTY = new Uint8Array(0);

/** An ASCII fragment as bytes: copying bytes is cheaper than reading a string's characters. */
function ascii(text: string): Uint8Array {
  return Buffer.from(text, 'latin1');
}

function makePlan(summary: RequestSummary): FieldPlan {
  const used = reservedNames();
  for (const name of CORE_FIELDS) used.add(name);
  const attributes: Uint8Array[] = [];
  for (const key in summary.attributes) {
    attributes.push(ascii(`,"${claimName(used, attributeFieldName(key))}":`));
  }
  const resource: Uint8Array[] = [];
  for (const key in summary.resource) {
    resource.push(
      key === SERVICE_NAME ? EMPTY : ascii(`,"${claimName(used, attributeFieldName(key))}":`),
    );
  }
  const operations: Uint8Array[][] = [];
  const fullMessageKeys: Uint8Array[] = [];
  for (const op of summary.operations) {
    const base = operationStem(op.name);
    let stem = base;
    for (let n = 2; OP_SUFFIXES.some((s) => used.has(stem + s)); n++) stem = `${base}_${n}`;
    operations.push(
      OP_SUFFIXES.map((suffix) => {
        used.add(stem + suffix);
        return ascii(`,"${stem}${suffix}":`);
      }),
    );
    // The key inside full_message (JSON), escaped once more for the string that carries it.
    const key = `${JSON.stringify(JSON.stringify(op.name)).slice(1, -1)}:`;
    fullMessageKeys.push(Buffer.from(key, 'utf8'));
  }
  return { attributes, resource, operations, fullMessageKeys };
}

// The shape seen last: consecutive requests usually share it, and comparing its keys (mostly the
// very same string instances) is cheaper than building and hashing a cache key.
let lastAttributeKeys: string[] = [];
let lastResourceKeys: string[] = [];
let lastOperationNames: string[] = [];
let lastPlan: FieldPlan | undefined;

function sameKeys(object: object, keys: string[]): boolean {
  let i = 0;
  for (const key in object) {
    if (i >= keys.length || keys[i] !== key) return false;
    i++;
  }
  return i === keys.length;
}

function sameShape(summary: RequestSummary): boolean {
  const operations = summary.operations;
  if (operations.length !== lastOperationNames.length) return false;
  for (let i = 0; i < operations.length; i++) {
    if (operations[i]!.name !== lastOperationNames[i]) return false;
  }
  return (
    sameKeys(summary.attributes, lastAttributeKeys) && sameKeys(summary.resource, lastResourceKeys)
  );
}

/** The field plan of `summary`'s shape (its attribute keys and operation names), memoised. */
export function fieldPlan(summary: RequestSummary): FieldPlan {
  if (lastPlan !== undefined && sameShape(summary)) return lastPlan;
  const plan = cachedPlan(summary);
  lastPlan = plan;
  lastAttributeKeys = Object.keys(summary.attributes);
  lastResourceKeys = Object.keys(summary.resource);
  lastOperationNames = summary.operations.map((op) => op.name);
  return plan;
}

function cachedPlan(summary: RequestSummary): FieldPlan {
  let key = '';
  // Length-prefixed, so no choice of names can make two shapes share a key.
  for (const k in summary.attributes) key += `${k.length}:${k}`;
  key += '|';
  for (const k in summary.resource) key += `${k.length}:${k}`;
  key += '|';
  const operations = summary.operations;
  for (let i = 0; i < operations.length; i++) {
    const name = operations[i]!.name;
    key += `${name.length}:${name}`;
  }
  if (key.length > MAX_CACHED_KEY_LENGTH) return makePlan(summary);
  let plan = plans.get(key);
  if (plan === undefined) {
    plan = makePlan(summary);
    if (plans.size >= PLAN_CACHE_LIMIT) plans.clear();
    plans.set(key, plan);
  }
  return plan;
}
