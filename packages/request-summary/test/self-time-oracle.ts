import type { RequestBreakdown } from '../src/index.js';

/** A span as the oracle sees it: times in ms, the parent by id, its kind of work named. */
export interface OracleSpan {
  id: string;
  /** Undefined for the root. */
  parent: string | undefined;
  name: string;
  start: number;
  end: number;
  kind: keyof RequestBreakdown;
}

/** What a summary should say, computed from the whole tree at once by sorting intervals. */
export interface Expected {
  selfMs: number;
  /** Sum of self times per operation name. */
  operations: Map<string, number>;
  breakdown: RequestBreakdown;
  /**
   * What the self times add up to beyond the request's duration: time two children of one parent
   * ran at once (counted in each), and time children ran outside their parent (counted in the
   * child, not subtracted from the parent).
   */
  excessMs: number;
}

/** Measure of a union of intervals. */
export function unionMs(intervals: ReadonlyArray<readonly [number, number]>): number {
  const sorted = intervals.filter(([s, e]) => e > s).sort((a, b) => a[0] - b[0]);
  let total = 0;
  let from = Number.NEGATIVE_INFINITY;
  let to = Number.NEGATIVE_INFINITY;
  for (const [s, e] of sorted) {
    if (s > to) {
      if (to > from) total += to - from;
      from = s;
      to = e;
    } else if (e > to) {
      to = e;
    }
  }
  if (to > from) total += to - from;
  return total;
}

function clipped(span: OracleSpan, to: OracleSpan): [number, number] {
  return [Math.max(span.start, to.start), Math.min(span.end, to.end)];
}

const length = ([s, e]: readonly [number, number]) => Math.max(0, e - s);

/** Self times and breakdown of the request rooted at the one span without a parent. */
export function expectedTimes(spans: readonly OracleSpan[]): Expected {
  const root = spans.find((s) => s.parent === undefined)!;
  const byId = new Map(spans.map((s) => [s.id, s]));
  const childrenOf = (s: OracleSpan) => spans.filter((c) => c.parent === s.id);
  const selfOf = (s: OracleSpan) =>
    s.end - s.start - unionMs(childrenOf(s).map((c) => clipped(c, s)));
  const operations = new Map<string, number>();
  let excessMs = 0;
  for (const s of spans) {
    const children = childrenOf(s).map((c) => clipped(c, s));
    excessMs += children.reduce((sum, c) => sum + length(c), 0) - unionMs(children);
    if (s === root) continue;
    operations.set(s.name, (operations.get(s.name) ?? 0) + selfOf(s));
    excessMs += s.end - s.start - length(clipped(s, byId.get(s.parent!)!));
  }
  const kind = (k: keyof RequestBreakdown) => {
    const of = spans.filter((s) => s !== root && s.kind === k);
    return { count: of.length, ms: unionMs(of.map((s) => clipped(s, root))) };
  };
  return {
    selfMs: selfOf(root),
    operations,
    breakdown: {
      db: kind('db'),
      httpClient: kind('httpClient'),
      rpc: kind('rpc'),
      messaging: kind('messaging'),
      other: kind('other'),
    },
    excessMs,
  };
}
