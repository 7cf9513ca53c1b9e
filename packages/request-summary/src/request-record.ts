import { Coverage, type HrTimeLike } from './coverage.js';
import { OperationStats } from './operation-stats.js';
import type { SpanTimes } from './span-times.js';
import type { SummaryAnnotations, SummaryAnnotationValue, SummarySpan } from './types.js';
import { WORK_KINDS } from './work-kind.js';

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

/** {@link RequestRecord.mirror} before the request's first span. */
export const MIRROR_UNSET = -2;
/** {@link RequestRecord.mirror} once no kind is made of exactly the root's direct children. */
export const MIRROR_NONE = -1;

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
  /** The second the root started in: span times are kept as milliseconds from it. */
  readonly base: number;
  /** The root's registration: its direct children's time, for the request's own (self) time. */
  readonly node: Coverage;
  /**
   * Per kind of work ({@link WORK_KINDS}), the spans of that kind and the time they covered,
   * made with the first span of the kind ({@link kind}); the array itself with the first kind
   * that needs one (none in a flat request of one kind, see {@link mirror}).
   */
  private kinds: Array<Coverage | undefined> | undefined = undefined;
  /**
   * The kind whose spans are, so far, exactly the root's direct children ({@link MIRROR_UNSET}
   * before the first span, {@link MIRROR_NONE} once they differ): its coverage would see what
   * {@link node} sees, call for call, so `node` stands for it (a flat request then updates one
   * coverage per span instead of two). {@link fork} gives it its own when they part.
   */
  mirror = MIRROR_UNSET;
  /** The root's start, and its end (ms from `base`) once it has ended: the kinds are clipped to them. */
  private readonly rootStart: HrTimeLike;
  private rootEndMs: number | undefined = undefined;
  /**
   * Registered parents (not the root) that have not ended, made with the first: while there is
   * none, an ending span cannot have children and its self time is its duration; while there
   * are few, an ending span is looked for among them by id, not by hashing its id into the map.
   */
  openParents: Coverage[] | undefined = undefined;
  /** Registered parents that ended with children open and wait for them (see `Coverage.op`). */
  waiting: Coverage[] | undefined = undefined;
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
    this.base = root.startTime[0];
    this.node = Coverage.of(this, root.startTime);
    this.traceId = traceId;
    this.spanId = spanId;
    this.openedTick = openedTick;
    this.ids = [spanId];
    this.rootStart = root.startTime;
  }

  /** The kind `k` parts from the root's children: it gets a copy of what they covered so far. */
  fork(): void {
    this.kindArray()[this.mirror] = this.node.copy();
    this.mirror = MIRROR_NONE;
  }

  private kindArray(): Array<Coverage | undefined> {
    if (this.kinds === undefined) this.kinds = new Array(WORK_KINDS.length).fill(undefined);
    return this.kinds!;
  }

  /** The coverage of kind `k` for the summary: undefined when no span was of that kind. */
  kindCoverage(k: number): Coverage | undefined {
    return k === this.mirror ? this.node : this.kinds?.[k];
  }

  /** The coverage of kind `k`, made on first use: within the request's duration only. */
  kind(k: number): Coverage {
    const kind = this.kinds?.[k];
    return kind === undefined ? this.newKind(k) : kind;
  }

  private newKind(k: number): Coverage {
    const kind = Coverage.of(this, this.rootStart);
    if (this.rootEndMs !== undefined) kind.endAtMs(this.rootEndMs);
    this.kindArray()[k] = kind;
    return kind;
  }

  /** The root ended (or the request is evicted) at `endMs`: its children and kinds are clipped there. */
  endTimes(endMs: number): void {
    this.rootEndMs = endMs;
    this.node.endAtMs(endMs);
    const kinds = this.kinds;
    if (kinds === undefined) return;
    for (let i = 0; i < kinds.length; i++) kinds[i]?.endAtMs(endMs);
  }

  /**
   * Records one ended child under `key` (its duration and self time, `times[DURATION]` and
   * `times[SELF]`), folding new keys past `maxOperations` into `_other` (counted in `folded`).
   * @returns the operation it was recorded into
   */
  record(
    key: string,
    times: SpanTimes,
    isError: boolean,
    samples: number,
    maxOperations: number,
  ): OperationStats {
    let op = this.lastOp;
    let folded = false;
    if (op === undefined || op.name !== key) {
      op = this.findOp(key);
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
          op = this.addOp(key, samples);
        }
      }
      // The fold entry is never found by name, so it is never the last one looked up by name.
      if (!folded) this.lastOp = op;
    }
    op.add(times, isError);
    this.spans++;
    if (folded) this.folded++;
    if (isError) this.errors++;
    return op;
  }

  private findOp(key: string): OperationStats | undefined {
    if (this.index !== undefined) return this.index.get(key);
    const ops = this.ops;
    for (let i = 0; i < ops.length; i++) {
      if (ops[i]!.name === key && ops[i] !== this.other) return ops[i];
    }
    return undefined;
  }

  private addOp(key: string, samples: number): OperationStats {
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
