/**
 * Choosing among exact candidates: nearest is NOT evidence.
 *
 * GNU patch, git apply, quilt and wiggle all take the candidate nearest the stated line.
 * When the pre-image occurs twice (flask: the same `create_engine(...)` block in two
 * functions) that silently patches the wrong copy. patchq only accepts a candidate on
 * real evidence:
 *  (a) neighbours: the hunks of the same file that landed uniquely. A candidate is
 *      accepted when it is the only one between the previous landed hunk's end and the
 *      next landed hunk's start, or the only one whose offset equals one of its two
 *      sides' offsets (the caller passes both or none: one side alone proves nothing,
 *      upstream may have inserted lines on the other side);
 *  (b) a base: the file the patch was made against. Its stated line is mapped through a
 *      line diff of base vs current text; the candidate at the mapped line wins.
 * Otherwise the hunk is refused as ambiguous. And a LONE candidate is not evidence
 * either when the place its neighbours point at still holds the hunk with a line or two
 * edited (`rivalAtSides`): the lone copy may be another copy of the block.
 */
import { lineOps } from '../diff.js';

/** Candidates ordered GNU-style, nearest the guess first: 0, +1, -1, +2, -2 ... */
export function nearestFirst(cands: readonly number[], guess: number): number[] {
  const rank = (p: number): number => (p >= guess ? 2 * (p - guess) : 2 * (guess - p) - 1);
  return [...cands].sort((a, b) => rank(a) - rank(b));
}

export interface Neighbours {
  /** First input index the hunk may use (end of the previous landed hunk). */
  from: number;
  /** Input index the hunk must end at or before (start of the next landed hunk). */
  to: number;
  /** Offsets (landed index - stated index) of the landed neighbours. */
  offsets: number[];
}

/** Evidence (a). Returns the single accepted candidate, or null. */
export function pickByNeighbours(
  cands: readonly number[],
  len: number,
  stated: number,
  nb: Neighbours,
): number | null {
  const inside = cands.filter((p) => p >= nb.from && p + len <= nb.to);
  if (inside.length === 1) return inside[0]!;
  if (inside.length === 0) return null;
  const same = inside.filter((p) => nb.offsets.includes(p - stated));
  return same.length === 1 ? same[0]! : null;
}

/**
 * Evidence (b): a function from 0-based base line index to the index of the same line in
 * the current text, or null when that base line was changed or deleted there.
 *   base ["a","b","c"], text ["x","a","b","c"]: 0 -> 1, 2 -> 3
 * The line diff is computed once per file and only when a hunk is ambiguous.
 */
export function baseMapper(base: readonly string[], text: readonly string[]): (i: number) => number | null {
  // One pass over the edit script (diff.ts: Myers, patience-split on big files; node-diff3's
  // LCS took ~10 s on a 100k-line file) into a table base index -> text index.
  const to = new Array<number | null>(base.length).fill(null);
  let i = 0;
  let j = 0;
  for (const op of lineOps(base, text)) {
    if (op === ' ') to[i++] = j++;
    else if (op === '-') i++;
    else j++;
  }
  return (k: number): number | null => to[k] ?? null;
}

/**
 * Evidence (a), generalised to the whole file: if every hunk that has exact candidates
 * lands exactly, in order and without overlap, hunk i can only be between the earliest
 * place a forward greedy walk can put it and the latest place a backward walk can.
 *   two identical hunks (NullPool -> StaticPool in two functions), two copies in the file:
 *   hunk 1 earliest = copy 1, latest = copy 1 (hunk 2 needs copy 2) -> forced, not guessed.
 * Hunks without candidates do not constrain. No complete assignment -> lists unchanged.
 */
export function feasible(cands: ReadonlyArray<readonly number[]>, lens: readonly number[], total: number): number[][] {
  const n = cands.length;
  const lo: number[] = new Array<number>(n).fill(0);
  const hi: number[] = new Array<number>(n).fill(total);
  let end = 0;
  for (let i = 0; i < n; i++) {
    if (cands[i]!.length === 0 || lens[i] === 0) continue;
    const c = cands[i]!.find((p) => p >= end);
    if (c === undefined) return cands.map((c) => [...c]);
    lo[i] = c;
    end = c + lens[i]!;
  }
  let start = total;
  for (let i = n - 1; i >= 0; i--) {
    if (cands[i]!.length === 0 || lens[i] === 0) continue;
    const list = cands[i]!;
    let c: number | undefined;
    for (let k = list.length - 1; k >= 0 && c === undefined; k--) if (list[k]! + lens[i]! <= start) c = list[k];
    if (c === undefined) return cands.map((c) => [...c]);
    hi[i] = c;
    start = c;
  }
  return cands.map((c, i) => c.filter((p) => p >= lo[i]! && p <= hi[i]!));
}

/**
 * Where a hunk with no old side goes (diff -U0 insertion, or into an empty file). Its
 * only evidence is its neighbours agreeing on one offset (previous side, or the top of
 * the file, and the next unique hunk), the base mapping of the line it follows, or the
 * top of the file itself (stated index 0). "-U0: insert after line 50" into a file that
 * grew above line 50 would otherwise land silently in the wrong place.
 */
export function placeInsertion(stated: number, offsets: readonly number[], mapper: (() => (i: number) => number | null) | null): number | null {
  if (stated === 0) return 0;
  // Both sides agree (one offset): nothing moved around this point.
  if (offsets.length === 1) return stated + offsets[0]!;
  const m = mapper ? mapper()(stated - 1) : null;
  return m === null ? null : m + 1;
}

/**
 * Counter-evidence to a lone landing (exact, or by fuzz) at an offset neither side
 * supports (the previous landed hunk's offset, or 0 at the top of the file; the next
 * one's): at a side's offset the hunk's own old side is still there, line for line,
 * with a few lines different. Two stories fit: upstream edited the hunk's place, and
 * the landing is another copy of the block (a sibling function with the same tail); or
 * upstream moved the hunk to the landing, and a near copy sits where it was. Ambiguous,
 * so the caller refuses it. Returns the rival's index, or null.
 *   two handlers end in `if (!ev) { return false; } queue.push(ev); return true; }`; the
 *   fork changes onOpen's push, upstream changed onOpen's `return false;`: the only exact
 *   copy left is onClose's, 9 lines down, while onOpen's is at the stated line with one
 *   line changed. GNU patch (and git apply) patch onClose.
 * `differ(q)`: how many of the `len` old-side lines differ at index q, Infinity past the
 * fuzz factor. An exact landing loses to a place that kept more lines than it changed; a
 * fuzzy landing (itself short of some lines) to one that kept at least as many. A place
 * overlapping the landing is the same lines seen one off, not a second place.
 */
export function rivalAtSides(at: number, stated: number, len: number, sides: readonly number[], differ: (q: number) => number, fuzzy: boolean): number | null {
  if (sides.includes(at - stated)) return null;
  for (const o of sides) {
    const q = stated + o;
    if (Math.abs(q - at) < len) continue;
    const e = differ(q);
    if (e > 0 && e !== Infinity && (fuzzy ? len >= 2 * e : len > 2 * e)) return q;
  }
  return null;
}
