/**
 * Line similarity for the fuzzy step, on byte strings.
 *   wsKey("\t  x =  1\r\n") -> "x = 1"   (whitespace runs collapsed, ends trimmed, EOL dropped)
 *   similarity("pool_size=5,", "pool_size=10,") ~ 0.8   (Dice coefficient on bigrams)
 * Dice on character bigrams is cheap (linear), symmetric and forgiving of small edits
 * such as a renamed argument, while unrelated lines score near 0.
 */
export function wsKey(line: string): string {
  return line.replace(/\s+/g, ' ').trim();
}

/** Leading blanks (spaces and tabs) of a line. */
export function indentOf(line: string): string {
  return /^[ \t]*/.exec(line)![0];
}

export function similarity(a: string, b: string, raw = false): number {
  // raw: compare the bytes as they are (minus EOL), so a reindented line scores < 1.
  return dice(raw ? a.replace(/\r?\n$/, '') : wsKey(a), raw ? b.replace(/\r?\n$/, '') : wsKey(b));
}

/**
 * Dice on the bigrams of two strings as given (already keyed). With a floor, a pair whose
 * lengths alone keep it below the floor scores 0 without being read: at most
 * min(nx, ny) bigrams are shared, so Dice <= 2 min(nx, ny) / (nx + ny).
 *   dice("ab", <a 1 MB line>, 0.5) -> 0 at once (the bound is 2e-6), not after 1 MB of work
 * That bound is what keeps a megabyte-long context line from costing a megabyte at every
 * place the similar step tries (seconds for a 40-line file).
 */
export function dice(x: string, y: string, floor = 0): number {
  if (x === y) return 1;
  if (x.length < 2 || y.length < 2) return 0;
  const [nx, ny] = [x.length - 1, y.length - 1];
  if (floor > 0 && (2 * Math.min(nx, ny)) / (nx + ny) < floor) return 0;
  const grams = new Map<string, number>();
  for (let i = 0; i < nx; i++) {
    const g = x.slice(i, i + 2);
    grams.set(g, (grams.get(g) ?? 0) + 1);
  }
  let shared = 0;
  for (let i = 0; i < ny; i++) {
    const g = y.slice(i, i + 2);
    const n = grams.get(g) ?? 0;
    if (n > 0) {
      shared++;
      grams.set(g, n - 1);
    }
  }
  return (2 * shared) / (nx + ny);
}
