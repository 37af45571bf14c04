/**
 * A patch's hunks, landed exactly on its base, as base -> theirs changes: the patch's own
 * edit script (its author's alignment), for the merges (merge-patch.ts, merge-touching.ts).
 *   hunk "@@ -2,3 +2,3 @@ a / -b / +B / c" on base "x a b c" -> [{ i1: 2, chg1: 1, i2: 2, chg2: 1, hunk: 0 }]
 */
import type { Landing } from './locate/fuzzy.js';
import type { Hunk } from './types.js';

/** Base lines [i1, i1 + chg1) become theirs lines [i2, i2 + chg2); 0-based, in order. */
export interface PatchChange {
  i1: number;
  chg1: number;
  i2: number;
  chg2: number;
  /** Index of the hunk the change is in. */
  hunk: number;
}

export function patchChanges(hunks: readonly Hunk[], at: readonly Landing[]): PatchChange[] {
  const out: PatchChange[] = [];
  let delta = 0; // theirs index - base index outside the changes
  hunks.forEach((h, k) => {
    let bi = at[k]!.pos;
    let ti = bi + delta;
    let cur: PatchChange | null = null;
    for (const l of h.lines) {
      if (l.op === ' ') {
        if (cur) out.push(cur);
        cur = null;
        bi++;
        ti++;
        continue;
      }
      cur ??= { i1: bi, chg1: 0, i2: ti, chg2: 0, hunk: k };
      if (l.op === '-') {
        cur.chg1++;
        bi++;
      } else {
        cur.chg2++;
        ti++;
      }
    }
    if (cur) out.push(cur);
    delta = ti - bi;
  });
  return out;
}
