/**
 * The field budget: which additional fields a message carries, under which names.
 *
 * OpenSearch/Elasticsearch (Graylog's store) refuses documents once an index has 1 000 distinct
 * fields, and maps a new field by the JSON type of its first value. So every name a process may
 * ever emit is planned here, once, against one budget of distinct names per {@link FieldBudget}
 * (one per exporter; `toGelf` without one uses a process-wide default):
 *
 * | part | names | where it is decided |
 * | --- | --- | --- |
 * | fixed fields | {@link FIXED_FIELDS} (at most {@link FIXED_FIELD_RESERVE}) | this file; written by `to-gelf.ts` |
 * | attributes | root and resource attributes, at most {@link ATTRIBUTE_FIELD_QUOTA} keys | {@link FieldBudget.plan} |
 * | extra per-request fields (annotations) | at most {@link EXTRA_FIELD_QUOTA} keys | {@link FieldBudget.extraField} |
 * | per-operation statistics | `maxFieldOperations` × the selected {@link OperationStatistic}s | {@link FieldBudget.plan} |
 * | the fold bucket | `_ops_folded` + `_ops_other_<statistic>` | {@link FieldBudget.bucket} |
 *
 * The sum is at most `maxFieldNames` (300 with the default options, 1 000 whatever the options),
 * so no message can carry more than 1 000 fields and no process more than that many names.
 * Names are claimed for good, first come first served (a name never changes meaning, and memory
 * stays bounded by the budget); operations past `maxFieldOperations` and keys past a quota get no
 * fields of their own: operations are folded into the bucket (and are still listed, each with
 * its statistics, in `full_message`), keys are left out; both are counted ({@link FieldBudget.stats}).
 *
 * To add to the message (issues building on this):
 * - a **fixed field** (e.g. `_self_ms`, `_db_count`): add its name and type to
 *   {@link FIXED_FIELDS} and write it in `to-gelf.ts`'s `serialize`; the reserve test fails when
 *   the list outgrows {@link FIXED_FIELD_RESERVE};
 * - a **per-operation statistic** (e.g. `self_ms`): add it to {@link OPERATION_STATISTICS} (suffix
 *   and type) and a `case` in `to-gelf.ts`'s `writeStatistic` and `writeBucket`; users choose it with
 *   `operationFields`, and the default cap on operations shrinks to keep the budget;
 * - **extra per-request fields**: call {@link FieldBudget.extraField} with the key for each one,
 *   once per key and message shape (memoise per shape like {@link FieldPlan}); write the value
 *   with the returned {@link PlannedField} (it pins the type) or leave it out when undefined.
 */
import { diag } from '@opentelemetry/api';
import type { RequestSummary } from '@otel-gelf/request-summary';
import {
  attributeStem,
  isReservedName,
  MAX_FIELD_NAME_LENGTH,
  numbered,
  OP_PREFIX,
  operationStem,
} from './field-names.js';

/** The JSON type a field is written with; `ms` values always carry a fraction (`20.0`). */
export type FieldType = 'ms' | 'count' | 'string';

/**
 * Every fixed additional field a message may carry, with its type. The README's Graylog section
 * lists the same table; a test keeps them in step.
 */
export const FIXED_FIELDS: ReadonlyArray<readonly [name: string, type: FieldType]> = [
  ['_trace_id', 'string'],
  ['_span_id', 'string'],
  ['_trace_sampled', 'count'],
  ['_request', 'string'],
  ['_duration_ms', 'ms'],
  ['_status', 'string'],
  ['_status_message', 'string'],
  ['_service_name', 'string'],
  ['_spans', 'count'],
  ['_folded', 'count'],
  ['_open_children', 'count'],
  ['_incomplete', 'count'],
  ['_ops_omitted', 'count'],
  ['_ops_folded', 'count'],
  // The request's own time and its breakdown by kind of work (absent with selfTime: false).
  ['_self_ms', 'ms'],
  ['_db_count', 'count'],
  ['_db_ms', 'ms'],
  ['_http_client_count', 'count'],
  ['_http_client_ms', 'ms'],
  ['_rpc_count', 'count'],
  ['_rpc_ms', 'ms'],
  ['_messaging_count', 'count'],
  ['_messaging_ms', 'ms'],
  ['_other_count', 'count'],
  ['_other_ms', 'ms'],
];

/** The GELF standard fields a message may carry; they count against the budget too. */
export const STANDARD_FIELDS = [
  'version',
  'host',
  'short_message',
  'full_message',
  'timestamp',
  'level',
] as const;

/**
 * Names set aside for {@link STANDARD_FIELDS} and {@link FIXED_FIELDS}, with room for the fixed
 * fields later issues add.
 */
export const FIXED_FIELD_RESERVE = 48;
/** Root and resource attribute keys that may have a field of their own, per budget. */
export const ATTRIBUTE_FIELD_QUOTA = 40;
/** Extra per-request keys (annotations) that may have a field of their own, per budget. */
export const EXTRA_FIELD_QUOTA = 40;
/** Distinct names with the default options. */
export const DEFAULT_MAX_FIELD_NAMES = 300;
/** Distinct names whatever the options (OpenSearch's default `total_fields.limit`). */
export const MAX_FIELD_NAMES = 1000;

/** A statistic that can become a field per operation (`_op_<name>_<statistic>`). */
export type OperationStatistic =
  | 'count'
  | 'min_ms'
  | 'max_ms'
  | 'sum_ms'
  | 'mean_ms'
  | 'errors'
  | 'last_ms'
  | 'self_ms';

/**
 * Every {@link OperationStatistic} in the order fields are written, with its type (`last_ms` is
 * the samples joined with commas: a string; `self_ms` is the sum of the spans' self times, left
 * out when the summary has none).
 */
export const OPERATION_STATISTICS: ReadonlyArray<readonly [OperationStatistic, FieldType]> = [
  ['count', 'count'],
  ['min_ms', 'ms'],
  ['max_ms', 'ms'],
  ['sum_ms', 'ms'],
  ['mean_ms', 'ms'],
  ['errors', 'count'],
  ['last_ms', 'string'],
  ['self_ms', 'ms'],
];
const STATISTIC_INDEX = new Map(OPERATION_STATISTICS.map(([s], i) => [s as string, i]));
const LONGEST_SUFFIX = Math.max(...OPERATION_STATISTICS.map(([s]) => s.length + 1));
// Room after an operation stem: `_` + the longest statistic, and a made-unique `_NNNN`.
const STEM_ROOM = LONGEST_SUFFIX + 5;

/**
 * The statistics that become fields per operation by default: how often (`count`: loops, N+1
 * queries), how long in all (`sum_ms`: where the request's time went; mean = sum / count) and the
 * worst case (`max_ms`: `_op_x_max_ms:>100`). Three names per operation leave room for 56
 * operations in the 300-name budget; min, mean and the samples stay in `full_message`.
 */
export const DEFAULT_OPERATION_FIELDS: readonly OperationStatistic[] = [
  'count',
  'sum_ms',
  'max_ms',
];

/** How a {@link FieldBudget} shapes messages. Every option is optional. */
export interface FieldBudgetOptions {
  /**
   * Only the fixed fields and `full_message`: no attribute, operation or extra fields, for
   * indices shared by many services. @defaultValue false
   */
  compact?: boolean;
  /** Statistics written as fields per operation. @defaultValue ['count', 'sum_ms', 'max_ms'] */
  operationFields?: readonly OperationStatistic[];
  /**
   * Distinct operations (per budget, so per exporter) that get `_op_*` fields: the first ones
   * seen; later ones are folded into `_ops_other_*`. @defaultValue as many as fit 300 names
   * (56 with the default `operationFields`); at most as many as fit 1 000
   */
  maxFieldOperations?: number;
}

/** Counters of a {@link FieldBudget}. */
export interface FieldBudgetStats {
  /** Distinct additional field names the budget may emit so far (fixed ones included). */
  fieldNames: number;
  /** Operations that have `_op_*` fields. */
  fieldOperations: number;
  /** Message shapes planned with an operation folded because `maxFieldOperations` was reached. */
  operationsFolded: number;
  /** Message shapes planned with an attribute or extra key left out because its quota was full. */
  keysRefused: number;
  /** Values left out because their type differed from the field's first one (a string in a number field). */
  typeConflicts: number;
}

/** A field planned for a key: its name as a ready-to-copy fragment (`,"_name":`) and its type. */
export interface PlannedField {
  readonly bytes: Uint8Array;
  /**
   * The type the field was first written with (0 none yet, 1 number, 2 string): a later value of
   * the other type is converted (a number into a string field) or left out, so the field never
   * changes type.
   */
  kind: 0 | 1 | 2;
}

/**
 * The field names of one message shape, as ready-to-copy ASCII JSON fragments (`,"_name":`):
 * sanitising, bounding and de-duplicating names is the slow part of the mapping, and requests of
 * one service repeat the same attribute keys and operations.
 */
export interface FieldPlan {
  /** Per root attribute, in `for…in` order; undefined when it has no field. */
  attributes: Array<PlannedField | undefined>;
  /** Per resource attribute, in `for…in` order; undefined for `service.name` or no field. */
  resource: Array<PlannedField | undefined>;
  /** Per annotation (`RequestSummary.annotations`), in `for…in` order; undefined when it has no field. */
  annotations: Array<PlannedField | undefined>;
  /**
   * Per operation, one fragment per selected statistic ({@link FieldBudget.statistics}); undefined
   * when the operation is folded into the bucket.
   */
  operations: Array<Uint8Array[] | undefined>;
  /**
   * Per operation, its name as a `full_message` key, already escaped for a JSON string
   * (`\"name\":`), in UTF-8; a name repeated within the message gets ` #2`, ` #3` ….
   */
  fullMessageKeys: Uint8Array[];
  /** Whether any operation is folded into the bucket. */
  folds: boolean;
}

/** The name of the fold entry of `maxOperations`. */
const OTHER = '_other';

/** The resource attribute written as `_service_name`. */
export const SERVICE_NAME = 'service.name';

const PLAN_CACHE_LIMIT = 512;
// Shapes with huge keys (hundreds of long operation names) are planned each time, not cached.
const MAX_CACHED_KEY_LENGTH = 8192;

/** An ASCII fragment as bytes: copying bytes is cheaper than reading a string's characters. */
function ascii(text: string): Uint8Array {
  return Buffer.from(text, 'latin1');
}

/** The most operations that fit `names` once everything else is set aside. */
function operationsWithin(names: number, statistics: number): number {
  if (statistics === 0) return 0;
  const rest = FIXED_FIELD_RESERVE + ATTRIBUTE_FIELD_QUOTA + EXTRA_FIELD_QUOTA + statistics;
  return Math.max(0, Math.floor((names - rest) / statistics));
}

/**
 * The problems of field options, one line each (empty when they are fine), e.g.
 * `invalid maxFieldOperations 500 (expected an integer from 0 to 123 with 7 operationFields)`.
 */
export function fieldOptionProblems(options: FieldBudgetOptions): string[] {
  const problems: string[] = [];
  const { compact, operationFields, maxFieldOperations } = options;
  if (compact !== undefined && typeof compact !== 'boolean') {
    problems.push(`invalid compact ${show(compact)} (expected true or false)`);
  }
  let statistics = DEFAULT_OPERATION_FIELDS.length;
  if (operationFields !== undefined) {
    const known = OPERATION_STATISTICS.map(([s]) => s).join(', ');
    if (
      !Array.isArray(operationFields) ||
      !operationFields.every((s) => typeof s === 'string' && STATISTIC_INDEX.has(s)) ||
      new Set(operationFields).size !== operationFields.length
    ) {
      problems.push(
        `invalid operationFields ${show(operationFields)} (expected an array of distinct names from: ${known})`,
      );
    } else {
      statistics = operationFields.length;
    }
  }
  if (maxFieldOperations !== undefined) {
    const max = operationsWithin(MAX_FIELD_NAMES, statistics);
    if (
      typeof maxFieldOperations !== 'number' ||
      !Number.isInteger(maxFieldOperations) ||
      maxFieldOperations < 0 ||
      maxFieldOperations > max
    ) {
      problems.push(
        `invalid maxFieldOperations ${show(maxFieldOperations)} (expected an integer from 0 to ${max} with ${statistics} operationFields, so that no message has more than ${MAX_FIELD_NAMES} fields)`,
      );
    }
  }
  return problems;
}

function show(value: unknown): string {
  try {
    const text =
      typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));
    return text.length > 80 ? `${text.slice(0, 79)}…` : text;
  } catch {
    return String(value);
  }
}

type Category = 'attribute' | 'resource' | 'extra';

/**
 * The distinct field names one exporter may emit, and the plans of the message shapes it has
 * seen. Bounded: it holds at most `maxFieldNames` names, one small entry per key or operation
 * that has a field, and {@link PLAN_CACHE_LIMIT} plans. See the module's TSDoc for the layout.
 */
export class FieldBudget {
  /** Only fixed fields and `full_message`. */
  readonly compact: boolean;
  /** The statistics written per operation, as indexes into {@link OPERATION_STATISTICS}. */
  readonly statistics: readonly number[];
  /** Distinct operations that may have `_op_*` fields. */
  readonly maxFieldOperations: number;
  /** `_ops_other_<statistic>` per selected statistic (empty for `last_ms`: samples do not add up). */
  readonly bucket: readonly Uint8Array[];

  /** Every name taken: fixed, reserved-looking, claimed (for operations, every statistic's). */
  private readonly taken = new Set<string>();
  private readonly keys: Record<Category, Map<string, PlannedField>> = {
    attribute: new Map(),
    resource: new Map(),
    extra: new Map(),
  };
  private attributeKeys = 0;
  private readonly operations = new Map<string, Uint8Array[]>();
  private readonly plans = new Map<string, FieldPlan>();
  private lastPlan: FieldPlan | undefined;
  private lastAttributeKeys: string[] = [];
  private lastResourceKeys: string[] = [];
  private lastOperationNames: string[] = [];
  private lastFolded: boolean[] = [];
  private lastAnnotationKeys: string[] = [];
  private warnedFull = false;
  private operationsFolded = 0;
  private keysRefused = 0;
  /** Counted by the serializer. */
  typeConflicts = 0;

  /** @param options - checked by {@link fieldOptionProblems}; invalid values are not re-checked */
  constructor(options: FieldBudgetOptions = {}) {
    this.compact = options.compact === true;
    const selected = options.operationFields ?? DEFAULT_OPERATION_FIELDS;
    this.statistics = OPERATION_STATISTICS.map((_, i) => i).filter((i) =>
      selected.includes(OPERATION_STATISTICS[i]![0]),
    );
    this.maxFieldOperations = this.compact
      ? 0
      : (options.maxFieldOperations ??
        operationsWithin(DEFAULT_MAX_FIELD_NAMES, this.statistics.length));
    for (const [name] of FIXED_FIELDS) this.taken.add(name);
    for (const [statistic] of OPERATION_STATISTICS) this.taken.add(`_ops_other_${statistic}`);
    this.bucket = this.statistics.map((i) => {
      const [statistic, type] = OPERATION_STATISTICS[i]!;
      return type === 'string' ? new Uint8Array(0) : ascii(`,"_ops_other_${statistic}":`);
    });
  }

  /** The field plan of `summary`'s shape (its attribute keys and operation names), memoised. */
  plan(summary: RequestSummary): FieldPlan {
    if (this.lastPlan !== undefined && this.sameShape(summary)) return this.lastPlan;
    const plan = this.cachedPlan(summary);
    this.lastPlan = plan;
    this.lastAttributeKeys = Object.keys(summary.attributes);
    this.lastResourceKeys = Object.keys(summary.resource);
    this.lastOperationNames = summary.operations.map((op) => op.name);
    this.lastFolded = summary.operations.map((op) => op.folded === true);
    this.lastAnnotationKeys = Object.keys(summary.annotations ?? NO_ANNOTATIONS);
    return plan;
  }

  /**
   * The field for an extra per-request key (an annotation), claimed on first use; undefined when
   * the budget has no room for another key or in compact mode (the value is then left out).
   */
  extraField(key: string): PlannedField | undefined {
    return this.keyField('extra', key);
  }

  /** A snapshot of the counters. */
  stats(): FieldBudgetStats {
    return {
      fieldNames: this.names(),
      fieldOperations: this.operations.size,
      operationsFolded: this.operationsFolded,
      keysRefused: this.keysRefused,
      typeConflicts: this.typeConflicts,
    };
  }

  /** Names this budget may emit: its whole reserve of fixed ones, keys, operations, the bucket. */
  private names(): number {
    const statistics = this.statistics.length;
    const bucket = this.compact || statistics === 0 ? 0 : statistics;
    return (
      FIXED_FIELD_RESERVE +
      this.attributeKeys +
      this.keys.extra.size +
      this.operations.size * statistics +
      bucket
    );
  }

  private claim(name: string): string {
    let candidate = name;
    for (let n = 2; this.taken.has(candidate) || isReservedName(candidate); n++) {
      candidate = numbered(name, n, MAX_FIELD_NAME_LENGTH);
    }
    this.taken.add(candidate);
    return candidate;
  }

  private keyField(category: Category, key: string): PlannedField | undefined {
    const known = this.keys[category];
    const field = known.get(key);
    if (field !== undefined) return field;
    const isExtra = category === 'extra';
    const count = isExtra ? known.size : this.attributeKeys;
    if (
      this.compact ||
      key === '' ||
      count >= (isExtra ? EXTRA_FIELD_QUOTA : ATTRIBUTE_FIELD_QUOTA)
    ) {
      if (!this.compact && key !== '') this.keysRefused++;
      return undefined;
    }
    const planned: PlannedField = {
      bytes: ascii(`,"${this.claim(isExtra ? annotationStem(key) : attributeStem(key))}":`),
      kind: 0,
    };
    known.set(key, planned);
    if (!isExtra) this.attributeKeys++;
    return planned;
  }

  private operationFields(name: string): Uint8Array[] | undefined {
    const known = this.operations.get(name);
    if (known !== undefined) return known;
    if (this.operations.size >= this.maxFieldOperations) return undefined;
    const base = operationStem(name, STEM_ROOM);
    let stem = base;
    for (
      let n = 2;
      OPERATION_STATISTICS.some(
        ([s]) => this.taken.has(`${stem}_${s}`) || isReservedName(`${stem}_${s}`),
      );
      n++
    ) {
      stem = numbered(base, n, MAX_FIELD_NAME_LENGTH - LONGEST_SUFFIX);
    }
    for (const [s] of OPERATION_STATISTICS) this.taken.add(`${stem}_${s}`);
    const fields = this.statistics.map((i) => ascii(`,"${stem}_${OPERATION_STATISTICS[i]![0]}":`));
    this.operations.set(name, fields);
    return fields;
  }

  private makePlan(summary: RequestSummary): FieldPlan {
    const attributes: Array<PlannedField | undefined> = [];
    for (const key in summary.attributes) attributes.push(this.keyField('attribute', key));
    const resource: Array<PlannedField | undefined> = [];
    for (const key in summary.resource) {
      resource.push(key === SERVICE_NAME ? undefined : this.keyField('resource', key));
    }
    const operations: Array<Uint8Array[] | undefined> = [];
    const fullMessageKeys: Uint8Array[] = [];
    const labels = new Set<string>();
    let folds = false;
    let refused = false;
    for (const op of summary.operations) {
      const name = String(op.name);
      let fields: Uint8Array[] | undefined;
      if (op.folded !== true && !this.compact) {
        fields = this.operationFields(name);
        if (fields === undefined) refused = true;
      }
      if (fields === undefined) folds = true;
      operations.push(fields);
      // A name seen twice in one message (a hand-made summary, or a user's `_other` beside the
      // fold entry) would make full_message hold one key twice: later ones get " #2", " #3" ….
      const label = op.folded === true ? OTHER : name;
      let key = label;
      for (let n = 2; labels.has(key); n++) key = `${label} #${n}`;
      labels.add(key);
      // The key inside full_message (JSON), escaped once more for the string that carries it.
      fullMessageKeys.push(
        Buffer.from(`${JSON.stringify(JSON.stringify(key)).slice(1, -1)}:`, 'utf8'),
      );
    }
    if (refused) {
      this.operationsFolded++;
      if (!this.warnedFull) {
        this.warnedFull = true;
        diag.warn(
          `GELF field budget: ${this.maxFieldOperations} operations have _op_* fields (maxFieldOperations); further operations are folded into _ops_other_* and listed in full_message (do span names carry ids? see operationKey)`,
        );
      }
    }
    const annotations: Array<PlannedField | undefined> = [];
    for (const key in summary.annotations ?? NO_ANNOTATIONS) annotations.push(this.extraField(key));
    return { attributes, resource, annotations, operations, fullMessageKeys, folds };
  }

  private sameShape(summary: RequestSummary): boolean {
    const operations = summary.operations;
    const names = this.lastOperationNames;
    if (operations.length !== names.length) return false;
    for (let i = 0; i < operations.length; i++) {
      const op = operations[i]!;
      const name = op.name;
      if (name !== names[i]) return false;
      // Only a fold entry is marked, and it is named `_other`.
      if (name === OTHER && (op.folded === true) !== this.lastFolded[i]) return false;
    }
    return (
      sameKeys(summary.attributes, this.lastAttributeKeys) &&
      sameKeys(summary.resource, this.lastResourceKeys) &&
      sameKeys(summary.annotations ?? NO_ANNOTATIONS, this.lastAnnotationKeys)
    );
  }

  private cachedPlan(summary: RequestSummary): FieldPlan {
    let key = '';
    // Length-prefixed, so no choice of names can make two shapes share a key.
    for (const k in summary.attributes) key += `${k.length}:${k}`;
    key += '|';
    for (const k in summary.resource) key += `${k.length}:${k}`;
    key += '|';
    for (const k in summary.annotations ?? NO_ANNOTATIONS) key += `${k.length}:${k}`;
    key += '|';
    const operations = summary.operations;
    for (let i = 0; i < operations.length; i++) {
      const op = operations[i]!;
      const name = String(op.name);
      key += `${op.folded === true ? '!' : ''}${name.length}:${name}`;
    }
    if (key.length > MAX_CACHED_KEY_LENGTH) return this.makePlan(summary);
    let plan = this.plans.get(key);
    if (plan === undefined) {
      plan = this.makePlan(summary);
      if (this.plans.size >= PLAN_CACHE_LIMIT) this.plans.clear();
      this.plans.set(key, plan);
    }
    return plan;
  }
}

/** What a summary without `annotations` (one made by hand, or by an older processor) has. */
const NO_ANNOTATIONS: Readonly<Record<string, never>> = Object.freeze({});

/** Fixed fields by name, for {@link annotationStem}. */
const FIXED_NAMES = new Set<string>([
  ...FIXED_FIELDS.map(([name]) => name),
  ...STANDARD_FIELDS.map((n) => `_${n}`),
]);

/**
 * The stem of an annotation's field: the key sanitised as attributes are (`user.id` → `_user_id`),
 * except that a key landing on a fixed field (`duration_ms`) or in the operations' namespace
 * (`op_…`, `ops_…`) becomes `_annotation_<key>`. A function of the key alone, so an annotation
 * never takes the name of a field the exporter writes, whichever is seen first.
 */
function annotationStem(key: string): string {
  const stem = attributeStem(key);
  if (FIXED_NAMES.has(stem) || stem.startsWith(OP_PREFIX) || stem.startsWith('_ops_')) {
    return attributeStem(`annotation${stem}`);
  }
  return stem;
}

function sameKeys(object: object, keys: string[]): boolean {
  let i = 0;
  for (const key in object) {
    if (i >= keys.length || keys[i] !== key) return false;
    i++;
  }
  return i === keys.length;
}
