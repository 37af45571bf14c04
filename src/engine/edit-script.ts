/**
 * Edit scripts shaped like git's xdiff: a line diff (diff.ts), then each change group
 * slid as xdl_change_compact slides it (without the indent heuristic, as merge-file).
 * merge3.ts walks two of them; a patch's own hunks can be slid the same way (slide).
 */
import { lineOps } from './diff.js';

/** One change of an edit script: base lines [i1, i1 + chg1) became side lines [i2, i2 + chg2). */
export interface Change {
  i1: number;
  chg1: number;
  i2: number;
  chg2: number;
}

/**
 * Changed-line flags for both files, with a false sentinel on each end: flag k+1 is line k.
 * Sliding a group only moves WHICH of several equal lines is marked, never the content.
 */
class Side {
  readonly chg: Uint8Array;
  constructor(readonly recs: readonly string[]) {
    this.chg = new Uint8Array(recs.length + 2);
  }
  at(k: number): boolean {
    return this.chg[k + 1] === 1;
  }
  set(k: number, v: boolean): void {
    this.chg[k + 1] = v ? 1 : 0;
  }
}

interface Group {
  start: number;
  end: number;
}

function groupInit(f: Side): Group {
  const g = { start: 0, end: 0 };
  while (f.at(g.end)) g.end++;
  return g;
}

/** Next group (possibly empty) after one unchanged line; false at the end of the file. */
function groupNext(f: Side, g: Group): boolean {
  if (g.end === f.recs.length) return false;
  g.start = g.end + 1;
  g.end = g.start;
  while (f.at(g.end)) g.end++;
  return true;
}

function groupPrevious(f: Side, g: Group): boolean {
  if (g.start === 0) return false;
  g.end = g.start - 1;
  g.start = g.end;
  while (f.at(g.start - 1)) g.start--;
  return true;
}

/** Slide a non-empty group down one line when the line after it equals its first line. */
function slideDown(f: Side, g: Group): boolean {
  if (g.end < f.recs.length && f.recs[g.start] === f.recs[g.end]) {
    f.set(g.start++, false);
    f.set(g.end++, true);
    while (f.at(g.end)) g.end++;
    return true;
  }
  return false;
}

function slideUp(f: Side, g: Group): boolean {
  if (g.start > 0 && f.recs[g.start - 1] === f.recs[g.end - 1]) {
    f.set(--g.start, true);
    f.set(--g.end, false);
    while (f.at(g.start - 1)) g.start--;
    return true;
  }
  return false;
}

/**
 * git's xdl_change_compact without the indent heuristic (merge-file does not ask for
 * it): each group is slid as far up as it goes, then as far down, merging with groups
 * it meets; it ends at its lowest place, unless some place lines it up with a change in
 * the other file, and then at the lowest such place.
 *   base "a\nb\nb\nc\n" -> "a\nb\nc\n": the deleted "b" is the second one.
 */
function compact(f: Side, o: Side): void {
  const g = groupInit(f);
  const go = groupInit(o);
  for (;;) {
    if (g.end !== g.start) {
      let size: number;
      let earliestEnd: number;
      let matching: number;
      do {
        size = g.end - g.start;
        matching = -1;
        while (slideUp(f, g)) groupPrevious(o, go);
        earliestEnd = g.end;
        if (go.end > go.start) matching = g.end;
        while (slideDown(f, g)) {
          groupNext(o, go);
          if (go.end > go.start) matching = g.end;
        }
      } while (size !== g.end - g.start);
      if (g.end !== earliestEnd && matching !== -1) {
        while (go.end === go.start) {
          slideUp(f, g);
          groupPrevious(o, go);
        }
      }
    }
    if (!groupNext(f, g)) break;
    groupNext(o, go);
  }
}

/** Edit script base -> side, compacted like git's. */
export function script(base: readonly string[], side: readonly string[]): Change[] {
  const a = new Side(base);
  const b = new Side(side);
  let i = 0;
  let j = 0;
  for (const op of lineOps(base, side)) {
    if (op === ' ') {
      i++;
      j++;
    } else if (op === '-') a.set(i++, true);
    else b.set(j++, true);
  }
  return compacted(a, b);
}

/** Both files' flags compacted as git does, read back as an edit script. */
function compacted(a: Side, b: Side): Change[] {
  compact(a, b);
  compact(b, a);
  const out: Change[] = [];
  let i = 0;
  let j = 0;
  while (i < a.recs.length || j < b.recs.length) {
    if (a.at(i) || b.at(j)) {
      const c = { i1: i, chg1: 0, i2: j, chg2: 0 };
      while (a.at(i)) i++;
      while (b.at(j)) j++;
      c.chg1 = i - c.i1;
      c.chg2 = j - c.i2;
      out.push(c);
    } else {
      i++;
      j++;
    }
  }
  return out;
}

/**
 * A given base -> side script (a patch's hunks) slid the way git slides its own: the
 * same side text, but each change that can move over equal lines sits where git's
 * xdl_change_compact puts it. Sliding changes only WHICH of several equal lines counts
 * as changed:
 *   base "}\n\nfoo\n" -> side "}\n\nbar\n\nfoo\n": "+blank +bar after the }" is the
 *   same patch as "+bar +blank after the blank"; git says the latter.
 */
export function slide(base: readonly string[], side: readonly string[], changes: readonly Change[]): Change[] {
  const a = new Side(base);
  const b = new Side(side);
  for (const c of changes) {
    for (let k = 0; k < c.chg1; k++) a.set(c.i1 + k, true);
    for (let k = 0; k < c.chg2; k++) b.set(c.i2 + k, true);
  }
  return compacted(a, b);
}

/**
 * The base lines two scripts of the same base -> side diff match differently (changed in
 * one, or kept as a different side line), as half-open runs [from, to): what a slide
 * moved a change over. Above, base line 1 (the blank) is such a run.
 */
export function movedOver(x: readonly Change[], y: readonly Change[], nBase: number): Array<[number, number]> {
  const mx = matchOf(x, nBase);
  const my = matchOf(y, nBase);
  const out: Array<[number, number]> = [];
  for (let i = 0; i < nBase; i++) {
    if (mx[i] === my[i]) continue;
    const last = out[out.length - 1];
    if (last && last[1] === i) last[1] = i + 1;
    else out.push([i, i + 1]);
  }
  return out;
}

/** For each base line, the side line it is kept as, or -1 when the script changes it. */
function matchOf(x: readonly Change[], nBase: number): Int32Array {
  const m = new Int32Array(nBase);
  let i = 0;
  let j = 0;
  for (const c of x) {
    while (i < c.i1) m[i++] = j++;
    for (let k = 0; k < c.chg1; k++) m[i++] = -1;
    j += c.chg2;
  }
  while (i < nBase) m[i++] = j++;
  return m;
}
