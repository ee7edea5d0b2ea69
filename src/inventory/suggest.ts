// A small "did you mean" for unknown keys and group names. The shared helper in
// src/runbook/did-you-mean.ts replaces this once it exists.

/** Levenshtein distance, bounded: stops early once every path exceeds `max`. */
function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      current.push(value);
      best = Math.min(best, value);
    }
    if (best > max) return max + 1;
    previous = current;
  }
  return previous[b.length] ?? max + 1;
}

/** The closest candidate to a mistyped word, or undefined when none is close enough. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const folded = word.toLowerCase().replace(/[-\s]/g, '_');
  const max = Math.max(1, Math.floor(folded.length / 3));
  let best: string | undefined;
  let bestDistance = max + 1;
  for (const candidate of candidates) {
    const d = distance(folded, candidate.toLowerCase(), max);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}
