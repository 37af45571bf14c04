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
  const x = raw ? a.replace(/\r?\n$/, '') : wsKey(a);
  const y = raw ? b.replace(/\r?\n$/, '') : wsKey(b);
  if (x === y) return 1;
  if (x.length < 2 || y.length < 2) return 0;
  const grams = new Map<string, number>();
  for (let i = 0; i + 1 < x.length; i++) {
    const g = x.slice(i, i + 2);
    grams.set(g, (grams.get(g) ?? 0) + 1);
  }
  let shared = 0;
  for (let i = 0; i + 1 < y.length; i++) {
    const g = y.slice(i, i + 2);
    const n = grams.get(g) ?? 0;
    if (n > 0) {
      shared++;
      grams.set(g, n - 1);
    }
  }
  return (2 * shared) / (x.length - 1 + (y.length - 1));
}
