/**
 * Cascade step 3: the 3-way merge of a patch with its pre-image (the base). Pure.
 *
 * theirs = the patch applied exactly to the base; ours = the file as it is now; the
 * patch's own hunks are the base -> theirs script (merge3.ts mergeWithScript, which also
 * says when the script is slid over equal lines).
 *
 * A clean merge is taken only when a second, independent alignment (node-diff3) gives
 * the same bytes: with repeated lines two alignments of base -> ours can both merge
 * cleanly and put the patch's lines in different places (commander Readme.md, drift
 * bench: git merge-file and git apply --3way put a paragraph 11 lines off). Two answers
 * = no answer. Above CROSS_CHECK_MAX lines the second opinion is too slow (lodash.js,
 * 17k lines: > 30 s).
 */
import { splitLines } from './lines.js';
import { landAtStated, LineIndex, rawKey } from './locate/exact.js';
import { splice } from './locate/fuzzy.js';
import { mergeWithScript, secondOpinion, type ConflictMark, type Merge3Result } from './merge3.js';
import { mergeTouching, type TouchingRefusal } from './merge-touching.js';
import { patchChanges, type PatchChange } from './patch-script.js';
import type { ApplyOptions, Hunk } from './types.js';

const CROSS_CHECK_MAX = 5_000;

export interface PatchMerge extends Merge3Result {
  /** Hunks (0-based) merged by merge-touching.ts next to an upstream change. */
  touching?: number[];
  /** A conflict: the touching changes merge-touching.ts refused, and why (one per hunk). */
  refused?: TouchingRefusal[];
  /**
   * A conflict: for each hunk, the lines of `text` from the first `<<<<<<<` to the last
   * `>>>>>>>` of the conflicts holding its changes (1-based), or null when none does.
   */
  markers?: Array<{ from: number; to: number } | null>;
}

/**
 * Clean merge text, conflict text, or null when the patch does not fit the base or the two
 * opinions differ. A conflict gets a second try where changes only touch (merge-touching.ts).
 */
export function mergePatch(text: string, base: string, hunks: readonly Hunk[], opts: ApplyOptions): PatchMerge | null {
  const bl = splitLines(base);
  const at = landAtStated(hunks, new LineIndex(bl, rawKey));
  if (!at) return null;
  const theirs = splice(bl, hunks, at, false).text;
  const changes = patchChanges(hunks, at);
  const m = mergeWithScript(text, base, theirs, changes.map((c) => [c.i1, c.chg1, c.i2, c.chg2] as const), { style: opts.merge === 'diff3' ? 'diff3' : 'merge' });
  if (m.clean && bl.length <= CROSS_CHECK_MAX && secondOpinion(text, base, theirs) !== m.text) return null;
  if (m.clean) return m;
  const t = mergeTouching(text, base, hunks);
  if (t && !Array.isArray(t)) return { clean: true, conflicts: 0, text: t.text, touching: t.touching };
  const markers = hunks.map((_, k) => markersOf(changes.filter((c) => c.hunk === k), m.marked ?? []));
  return t ? { ...m, refused: t, markers } : { ...m, markers };
}

/**
 * The conflicts that hold a hunk's changes: those whose theirs lines overlap the changes'
 * (an insertion or a deletion is empty on one side: touching counts), first to last.
 *   hunk changes theirs [9, 10), conflicts at theirs [9, 10) (lines 17-21) -> { from: 17, to: 21 }
 */
function markersOf(changes: readonly PatchChange[], marked: readonly ConflictMark[]): { from: number; to: number } | null {
  const overlap = (c: PatchChange, r: ConflictMark, touch: boolean): boolean =>
    touch ? c.i2 <= r.i2 + r.chg2 && r.i2 <= c.i2 + c.chg2 : c.i2 < r.i2 + r.chg2 && r.i2 < c.i2 + c.chg2;
  let hit = marked.filter((r) => changes.some((c) => overlap(c, r, false)));
  if (hit.length === 0) hit = marked.filter((r) => changes.some((c) => overlap(c, r, true)));
  return hit.length ? { from: hit[0]!.from, to: hit[hit.length - 1]!.to } : null;
}
