import { OperationStats } from './operation-stats.js';
import type { SummarySpan } from './types.js';

/** Key of the entry that collects the operations past `maxOperations`. */
export const OTHER_OPERATION = '_other';

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
  /** Operations in the order they were first seen; created with the first one. */
  ops: Map<string, OperationStats> | undefined = undefined;
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
  /** Set when the request is forgotten while children are still registered, to unregister them. */
  purge = false;

  constructor(root: SummarySpan, traceId: string, spanId: string, openedTick: number) {
    this.root = root;
    this.traceId = traceId;
    this.spanId = spanId;
    this.openedTick = openedTick;
  }

  /** Records one ended child under `key`, folding new keys past `maxOperations` into `_other`. */
  record(key: string, ms: number, isError: boolean, samples: number, maxOperations: number): void {
    let ops = this.ops;
    if (ops === undefined) {
      ops = new Map();
      this.ops = ops;
    }
    let op = ops.get(key);
    if (op === undefined) {
      if (ops.size >= maxOperations && key !== OTHER_OPERATION) {
        this.folded++;
        op = ops.get(OTHER_OPERATION);
        if (op === undefined) {
          op = new OperationStats(OTHER_OPERATION, samples);
          ops.set(OTHER_OPERATION, op);
        }
      } else {
        op = new OperationStats(key, samples);
        ops.set(key, op);
      }
    }
    op.add(ms, isError);
    this.spans++;
    if (isError) this.errors++;
  }
}
