import { OperationStats } from './operation-stats.js';
import type { SummaryAnnotations, SummaryAnnotationValue, SummarySpan } from './types.js';

/** Key of the entry that collects the operations past `maxOperations`. */
const OTHER_OPERATION = '_other';

/** Longest annotation key; longer keys are refused (a cut key could collide with another). */
export const MAX_ANNOTATION_KEY_LENGTH = 128;

/** What {@link RequestRecord.annotate} and {@link RequestRecord.count} did with one write. */
export const ANNOTATION_STORED = 0;
export const ANNOTATION_CUT = 1;
export const ANNOTATION_DROPPED = 2;
type AnnotationOutcome =
  | typeof ANNOTATION_STORED
  | typeof ANNOTATION_CUT
  | typeof ANNOTATION_DROPPED;

/** Past this many operations, a request looks them up through a Map instead of a linear scan. */
const INDEX_THRESHOLD = 8;

/**
 * What the processor keeps about one open request (one local root span). Plain number fields
 * only, so that the per-span updates allocate nothing.
 */
export class RequestRecord {
  /** The root span until the summary is taken; cleared when the request ends or is evicted. */
  root: SummarySpan | undefined;
  readonly traceId: string;
  readonly spanId: string;
  /** Sweep tick at which the root started (see the processor's sweep). */
  readonly openedTick: number;
  /** Sweep tick at which the root ended, for forgetting children that never end. */
  endedTick = 0;
  /** Operations in the order they were first seen (the fold entry, once made, among them). */
  readonly ops: OperationStats[] = [];
  /**
   * The entry of the operations past `maxOperations`: kept apart from the named ones, so that a
   * user's own operation named `_other` never merges with it.
   */
  private other: OperationStats | undefined = undefined;
  /** Name → operation, built once a request has many operations. */
  private index: Map<string, OperationStats> | undefined = undefined;
  /** The operation recorded last: spans of one name tend to come in runs. */
  private lastOp: OperationStats | undefined = undefined;
  /** Children started and not ended yet. */
  openChildren = 0;
  /** Child spans recorded into `ops`. */
  spans = 0;
  /** Child spans recorded into `_other`. */
  folded = 0;
  /** Child spans with status ERROR. */
  errors = 0;
  /** Annotations by key, in first-write order; made on the first one. */
  annotations: Map<string, SummaryAnnotationValue> | undefined = undefined;
  /** Annotation writes refused for this request. */
  droppedAnnotations = 0;
  /** True once the summary was taken (or the request evicted): later children are late. */
  ended = false;
  /** True while the root has ended and the request waits one turn for its open children. */
  closing = false;
  /**
   * The span ids registered for this request: the root and every span that started a child.
   * Leaf spans are never registered, so most spans cost no map write.
   */
  readonly ids: string[];
  /** Neighbours in the processor's list of open requests (oldest first). */
  prev: RequestRecord | undefined = undefined;
  next: RequestRecord | undefined = undefined;

  constructor(root: SummarySpan, traceId: string, spanId: string, openedTick: number) {
    this.root = root;
    this.traceId = traceId;
    this.spanId = spanId;
    this.openedTick = openedTick;
    this.ids = [spanId];
  }

  /**
   * Records one ended child under `key`, folding new keys past `maxOperations` into `_other`.
   * @returns whether the span was folded
   */
  record(
    key: string,
    ms: number,
    isError: boolean,
    samples: number,
    maxOperations: number,
  ): boolean {
    let op = this.lastOp;
    let folded = false;
    if (op === undefined || op.name !== key) {
      op = this.find(key);
      if (op === undefined) {
        const named = this.other === undefined ? this.ops.length : this.ops.length - 1;
        if (named >= maxOperations) {
          folded = true;
          op = this.other;
          if (op === undefined) {
            op = new OperationStats(OTHER_OPERATION, samples, true);
            this.ops.push(op);
            this.other = op;
          }
        } else {
          op = this.add(key, samples);
        }
      }
      // The fold entry is never found by name, so it is never the last one looked up by name.
      if (!folded) this.lastOp = op;
    }
    op.add(ms, isError);
    this.spans++;
    if (folded) this.folded++;
    if (isError) this.errors++;
    return folded;
  }

  private find(key: string): OperationStats | undefined {
    if (this.index !== undefined) return this.index.get(key);
    const ops = this.ops;
    for (let i = 0; i < ops.length; i++) {
      if (ops[i]!.name === key && ops[i] !== this.other) return ops[i];
    }
    return undefined;
  }

  private add(key: string, samples: number): OperationStats {
    const op = new OperationStats(key, samples);
    this.ops.push(op);
    if (this.index !== undefined) {
      this.index.set(key, op);
    } else if (this.ops.length > INDEX_THRESHOLD) {
      this.index = new Map();
      for (const o of this.ops) if (o !== this.other) this.index.set(o.name, o);
    }
    return op;
  }

  /**
   * Sets annotation `key` (the last write wins). Strings past `maxLength` are cut, never inside a
   * surrogate pair; numbers must be finite; a new key past `maxKeys` is refused.
   */
  annotate(key: string, value: unknown, maxKeys: number, maxLength: number): AnnotationOutcome {
    let stored: SummaryAnnotationValue;
    let outcome: AnnotationOutcome = ANNOTATION_STORED;
    switch (typeof value) {
      case 'string':
        stored = value;
        if (value.length > maxLength) {
          const high = value.charCodeAt(maxLength - 1);
          stored = value.slice(0, high >= 0xd800 && high <= 0xdbff ? maxLength - 1 : maxLength);
          outcome = ANNOTATION_CUT;
        }
        break;
      case 'number':
        if (!Number.isFinite(value)) return this.refuse();
        // -0 would be written as 0 anyway; keep the summary equal to what is sent.
        stored = value === 0 ? 0 : value;
        break;
      case 'boolean':
        stored = value;
        break;
      default:
        return this.refuse();
    }
    const map = this.writable(key, maxKeys);
    if (map === undefined) return this.refuse();
    map.set(key, stored);
    return outcome;
  }

  /** Adds `by` to the number under `key` (0 when the key is new). */
  count(key: string, by: unknown, maxKeys: number): AnnotationOutcome {
    if (typeof by !== 'number' || !Number.isFinite(by)) return this.refuse();
    const map = this.writable(key, maxKeys);
    if (map === undefined) return this.refuse();
    const previous = map.get(key);
    if (previous === undefined) map.set(key, by === 0 ? 0 : by);
    else if (typeof previous === 'number') map.set(key, previous + by);
    else return this.refuse();
    return ANNOTATION_STORED;
  }

  /** The annotations as plain data, in first-write order. */
  annotationRecord(): SummaryAnnotations {
    const record: SummaryAnnotations = {};
    if (this.annotations !== undefined) {
      for (const [key, value] of this.annotations) record[key] = value;
    }
    return record;
  }

  /** The map to write `key` into, or undefined when the key is invalid or one too many. */
  private writable(key: string, maxKeys: number): Map<string, SummaryAnnotationValue> | undefined {
    if (
      typeof key !== 'string' ||
      key.length === 0 ||
      key.length > MAX_ANNOTATION_KEY_LENGTH ||
      // A plain object's setter: assigning it would change the summary's prototype.
      key === '__proto__'
    ) {
      return undefined;
    }
    let map = this.annotations;
    if (map === undefined) {
      if (maxKeys === 0) return undefined;
      map = new Map();
      this.annotations = map;
    } else if (map.size >= maxKeys && !map.has(key)) {
      return undefined;
    }
    return map;
  }

  private refuse(): AnnotationOutcome {
    this.droppedAnnotations++;
    return ANNOTATION_DROPPED;
  }
}
