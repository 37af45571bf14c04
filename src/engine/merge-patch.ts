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
import { mergeWithScript, secondOpinion, type Merge3Result } from './merge3.js';
import { mergeTouching, type TouchingRefusal } from './merge-touching.js';
import { patchChanges } from './patch-script.js';
import type { ApplyOptions, Hunk } from './types.js';

const CROSS_CHECK_MAX = 5_000;

export interface PatchMerge extends Merge3Result {
  /** Hunks (0-based) merged by merge-touching.ts next to an upstream change. */
  touching?: number[];
  /** A conflict: the touching changes merge-touching.ts refused, and why (one per hunk). */
  refused?: TouchingRefusal[];
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
  const m = mergeWithScript(text, base, theirs, patchChanges(hunks, at).map((c) => [c.i1, c.chg1, c.i2, c.chg2] as const), { style: opts.merge === 'diff3' ? 'diff3' : 'merge' });
  if (m.clean && bl.length <= CROSS_CHECK_MAX && secondOpinion(text, base, theirs) !== m.text) return null;
  if (m.clean) return m;
  const t = mergeTouching(text, base, hunks);
  if (t && !Array.isArray(t)) return { clean: true, conflicts: 0, text: t.text, touching: t.touching };
  return t ? { ...m, refused: t } : m;
}
