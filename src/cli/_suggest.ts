/**
 * "Did you mean …?": the closest known name to a mistyped one, by edit distance.
 *
 * @module
 */

/** Levenshtein distance: the fewest insertions, deletions and substitutions from `a` to `b`. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length];
}

/**
 * The known name closest to `name`, when it is close enough to be a typo (at most 2 edits,
 * and fewer than half the name's length), or a known name that starts with it; else undefined.
 */
export function closest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined, bestDistance = Infinity;
  for (const candidate of known) {
    const d = editDistance(name, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  if (best !== undefined && bestDistance <= 2 && bestDistance < Math.max(name.length, 2) / 2 + 1) return best;
  const prefixed = known.filter((k) => name.length >= 3 && k.startsWith(name));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}
