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
import { splice, type Landing } from './locate/fuzzy.js';
import { mergeWithScript, secondOpinion, type Merge3Result } from './merge3.js';
import type { ApplyOptions, Hunk } from './types.js';

const CROSS_CHECK_MAX = 5_000;

type Script = Array<[number, number, number, number]>;

/** Clean merge text, conflict text, or null when the patch does not fit the base or the two opinions differ. */
export function mergePatch(text: string, base: string, hunks: readonly Hunk[], opts: ApplyOptions): Merge3Result | null {
  const bl = splitLines(base);
  const at = landAtStated(hunks, new LineIndex(bl, rawKey));
  if (!at) return null;
  const theirs = splice(bl, hunks, at, false).text;
  const m = mergeWithScript(text, base, theirs, patchScript(hunks, at), { style: opts.merge === 'diff3' ? 'diff3' : 'merge' });
  if (m.clean && bl.length <= CROSS_CHECK_MAX && secondOpinion(text, base, theirs) !== m.text) return null;
  return m;
}

/** The hunks, landed exactly on the base, as base -> theirs changes (merge3.ts mergeWithScript). */
function patchScript(hunks: readonly Hunk[], at: readonly Landing[]): Script {
  const out: Script = [];
  let delta = 0; // theirs index - base index outside the changes
  hunks.forEach((h, k) => {
    let bi = at[k]!.pos;
    let ti = bi + delta;
    let cur: [number, number, number, number] | null = null;
    for (const l of h.lines) {
      if (l.op === ' ') {
        if (cur) out.push(cur);
        cur = null;
        bi++;
        ti++;
        continue;
      }
      cur ??= [bi, 0, ti, 0];
      if (l.op === '-') {
        cur[1]++;
        bi++;
      } else {
        cur[3]++;
        ti++;
      }
    }
    if (cur) out.push(cur);
    delta = ti - bi;
  });
  return out;
}
