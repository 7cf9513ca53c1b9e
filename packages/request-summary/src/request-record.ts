import { OperationStats } from './operation-stats.js';
import type { SummarySpan } from './types.js';

/** Key of the entry that collects the operations past `maxOperations`. */
const OTHER_OPERATION = '_other';

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
  /** Operations in the order they were first seen. */
  readonly ops: OperationStats[] = [];
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
        if (this.ops.length >= maxOperations && key !== OTHER_OPERATION) {
          folded = true;
          op = this.find(OTHER_OPERATION) ?? this.add(OTHER_OPERATION, samples);
        } else {
          op = this.add(key, samples);
        }
      }
      this.lastOp = op;
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
      if (ops[i]!.name === key) return ops[i];
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
      for (const o of this.ops) this.index.set(o.name, o);
    }
    return op;
  }
}
