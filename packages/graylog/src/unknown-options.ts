import { showValue } from './show-value.js';

/**
 * One problem per own key of `options` that is not in `known`, with the closest known key as a
 * suggestion when one is near, e.g. `unknown option "endpiont" (did you mean "endpoint"?)`: a
 * mistyped option must not fall back to its default silently.
 *
 * @param prefix put before every key in the message, e.g. `tls.`
 */
export function findUnknownKeys(options: object, known: readonly string[], prefix = ''): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const near = closest(key, known);
    const hint = near === undefined ? '' : ` (did you mean ${showValue(prefix + near)}?)`;
    problems.push(`unknown option ${showValue(prefix + key)}${hint}`);
  }
  return problems;
}

/** The known name nearest to `name` (case aside), if it is at most ~a quarter of it away. */
function closest(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  const limit = Math.max(1, Math.min(3, Math.floor(name.length / 4)));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of known) {
    const d = editDistance(lower, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
 * neighbours (the commonest typo, `endpiont`) cost 1 each.
 */
function editDistance(a: string, b: string): number {
  // Three rows suffice: the swap looks two rows back.
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, before[j - 2] + 1);
      }
      current[j] = d;
    }
    [before, previous, current] = [previous, current, before];
  }
  return previous[b.length];
}
