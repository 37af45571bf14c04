/**
 * Cascade step 3, second try: a 3-way merge where a change of the patch TOUCHES a change
 * of upstream (adjacent lines, no line in common). git merge-file calls that a conflict;
 * here it is merged when the answer does not depend on how diff(base, text) is aligned,
 * and refused on any doubt. Pure.
 *
 * The patch lands exactly on its base (merge-patch.ts), so each of its changes is known in
 * base lines: base [s, e) becomes N. Upstream's changes are diff(base, text), read as a map
 * base line -> text line, or none: changed (alignments.ts). A change is placed when
 * upstream kept every line of [s, e) as one run of text lines (no line in common, nothing
 * inserted among them), and then:
 *  - both neighbours kept right next to that run: the ordinary merge;
 *  - one kept right next to it (or it is at the top or end of the file), the other
 *    changed: it touches upstream's change there. An insertion (s = e) goes next to the
 *    neighbour upstream kept; if upstream kept both and put lines between them, both
 *    inserted at one point: no order, refused;
 *  - neither: a replacement or deletion (never an insertion) between two upstream changes.
 * A touching change is taken only with evidence that no alignment choice can undo:
 *  - the lines it changes, with the lines upstream kept on its attached side (up to
 *    CONTEXT, in one run), occur exactly once in the base and exactly once in the text
 *    (or it sits at the top or the end of the file): the text finds the place, not the diff;
 *  - no line upstream removed or wrote on the changed side equals the line of ours that
 *    faces it (or, for an insertion, the kept neighbour), and our change cannot slide
 *    onto upstream's line (its facing old or new line equal to that line). Else an
 *    alignment as short as this one keeps the other copy, and the answer moves:
 *    base "x _ _", upstream removed one blank, the fork inserts between the blanks;
 *  - the whole merge, redone under other alignments as short (alignments.ts: the diff of
 *    the reversed files, each run of changes slid to its top and bottom, the changed lines
 *    of each run of equal lines packed up and down, node-diff3's LCS up to
 *    CROSS_CHECK_MAX lines), gives the same bytes. This also guards the changes placed
 *    the ordinary way next to a run of equal lines upstream shortened.
 *   flask docs/views.rst: the fork fixes `def register_api(app, model, url):`; upstream
 *   rewrote the two lines after it into four. The def line and the three lines above it,
 *   which upstream kept, occur once in base and text: the def line is replaced there.
 */
import { gitMap, lcsMap, reversedMap, slidMap, type KeptMap } from './alignments.js';
import { splitLines } from './lines.js';
import { findExact, landAtStated, LineIndex, rawKey } from './locate/exact.js';
import { splice } from './locate/fuzzy.js';
import { patchChanges, type PatchChange } from './patch-script.js';
import type { Hunk } from './types.js';

/** Kept lines on the attached side that, with the changed lines, must be unique. */
const CONTEXT = 3;
const CROSS_CHECK_MAX = 5_000;

export interface TouchingMerge {
  text: string;
  /** 0-based indexes of the hunks with a change that touches an upstream change. */
  touching: number[];
}

/** A touching change the rule refused, and why (for the hunk's report). */
export interface TouchingRefusal {
  hunk: number;
  why: string;
}

const NEXT_TO = 'next to an upstream change,';
const WHY = {
  order: 'upstream inserted at the same point: no order',
  between: 'an insertion between two upstream changes',
  slide: `${NEXT_TO} and an equal line there makes its place depend on how the diff is aligned`,
  unique: `${NEXT_TO} and its lines with their kept context are not unique`,
  disagree: `${NEXT_TO} and another alignment of the diff places it elsewhere`,
};

/**
 * The refusals that say the texts do not fix the hunk's place: two shortest alignments
 * of diff(base, text) put it in different places (slide, disagree), its lines are not
 * unique where it touches (unique), or upstream inserted at its point (order: either
 * order is a story). Whatever alignment one reads, more than one place fits, so no
 * looser search (GNU fuzz, similar context) may pick one: the cascade fails the hunk.
 * Not "between" (upstream rewrote the lines on both sides of an insertion: a conflict,
 * like upstream changing the patch's own lines), where fuzz decides as without a base.
 */
export const placeAmbiguous = (why: string): boolean => why !== WHY.between;

interface Placed {
  from: number;
  to: number;
  lines: readonly string[];
  touching: boolean;
}

const occursOnce = (idx: LineIndex, block: readonly string[]): boolean => findExact(idx, block).length === 1;

/** Some line of xs[from, to) is `line`. */
function has(xs: readonly string[], from: number, to: number, line: string): boolean {
  for (let k = from; k < to; k++) if (xs[k] === line) return true;
  return false;
}

/**
 * Upstream changed base [u1, s) into text [o1, from), right above our change. Could another
 * alignment, as short as this one, move the boundary? If any line upstream removed or
 * wrote there equals our first line (or, for an insertion, the kept line below it), that
 * line can be the one kept, and ours the one changed (base "x _ _", upstream removed one
 * blank: which one is not in the texts). And our change must not slide up onto
 * upstream's line: its last line (old or new) equal to the line above it.
 */
function slidesAbove(c: PatchChange, N: readonly string[], b: readonly string[], o: readonly string[], m: KeptMap, from: number): boolean {
  const s = c.i1;
  const e = s + c.chg1;
  let u1 = s;
  while (u1 > 0 && m[u1 - 1]! < 0) u1--;
  const o1 = u1 === 0 ? 0 : m[u1 - 1]! + 1;
  const first = b[s];
  if (first !== undefined && (has(b, u1, s, first) || has(o, o1, from, first))) return true;
  return s > 0 && ((e > s && b[s - 1] === b[e - 1]) || (N.length > 0 && b[s - 1] === N[N.length - 1]));
}

/** The mirror image: upstream changed base [e, u2) into text [to, o2), right below our change. */
function slidesBelow(c: PatchChange, N: readonly string[], b: readonly string[], o: readonly string[], m: KeptMap, to: number): boolean {
  const s = c.i1;
  const e = s + c.chg1;
  let u2 = e;
  while (u2 < b.length && m[u2]! < 0) u2++;
  const o2 = u2 === b.length ? o.length : m[u2]!;
  const last = e > 0 ? b[e - 1] : undefined;
  if (last !== undefined && (has(b, e, u2, last) || has(o, to, o2, last))) return true;
  return e < b.length && ((e > s && b[e] === b[s]) || (N.length > 0 && b[e] === N[0]));
}

/** One change placed in the text under alignment m; else why not (null: upstream changed its lines). */
function place(c: PatchChange, N: readonly string[], b: readonly string[], o: readonly string[], m: KeptMap, own: (k: number) => boolean, bIdx: LineIndex, oIdx: LineIndex): Placed | string | null {
  const s = c.i1;
  const e = c.i1 + c.chg1;
  for (let k = s; k < e; k++) if (m[k]! < 0 || m[k] !== m[s]! + (k - s)) return null;
  const above = s === 0 ? -1 : m[s - 1]!; // text line of the kept line above (-1: top)
  const aboveKept = s === 0 || above >= 0;
  const belowKept = e === b.length || m[e]! >= 0;
  const below = e === b.length ? o.length : m[e]!;
  // Our lines' place: the image of [s, e), or (insertion) right after the kept line above.
  const from = e > s ? m[s]! : aboveKept ? above + 1 : below;
  const to = from + (e - s);
  const attAbove = aboveKept && above + 1 === from;
  const attBelow = belowKept && below === to;
  if (attAbove && attBelow) return { from, to, lines: N, touching: false };
  if (e === s && aboveKept && belowKept) return WHY.order; // upstream inserted at our point too
  if (e === s && !attAbove && !attBelow) return WHY.between;
  if (!attAbove && slidesAbove(c, N, b, o, m, from)) return WHY.slide;
  if (!attBelow && slidesBelow(c, N, b, o, m, to)) return WHY.slide;
  // The run of base lines that must occur once: ours, with the kept lines on the attached side.
  const block = b.slice(s, e);
  if (attBelow) for (let k = e; k < b.length && k < e + CONTEXT && !own(k) && m[k] === below + (k - e); k++) block.push(b[k]!);
  if (attAbove) for (let k = s - 1; k >= 0 && k >= s - CONTEXT && !own(k) && m[k] === above - (s - 1 - k); k--) block.unshift(b[k]!);
  // The top or the end of the file is a place no alignment can move.
  const edge = (attAbove && s === 0 && from === 0) || (attBelow && e === b.length && to === o.length);
  if (!edge && (block.length === 0 || !occursOnce(bIdx, block) || !occursOnce(oIdx, block))) return WHY.unique;
  return { from, to, lines: N, touching: true };
}

/** Every change under alignment m: where it goes (Placed), a refusal, or null (upstream changed its lines). */
interface Outcome {
  /** The merged text, when every change is placed and none overlap. */
  text: string | null;
  at: Array<Placed | string | null>;
  touching: number[];
}

function mergeWith(changes: readonly PatchChange[], t: readonly string[], b: readonly string[], o: readonly string[], m: KeptMap, bIdx: LineIndex, oIdx: LineIndex): Outcome {
  const mine = new Uint8Array(b.length);
  for (const c of changes) mine.fill(1, c.i1, c.i1 + c.chg1);
  const own = (k: number): boolean => mine[k] === 1;
  let out: string | null = '';
  let at = 0;
  const touching = new Set<number>();
  // Every change is placed (not just up to the first refusal): each refused hunk is known.
  const placed = changes.map((c) => place(c, t.slice(c.i2, c.i2 + c.chg2), b, o, m, own, bIdx, oIdx));
  placed.forEach((p, k) => {
    if (out === null) return;
    if (!p || typeof p === 'string' || p.from < at) {
      out = null;
      return;
    }
    out += o.slice(at, p.from).join('') + p.lines.join('');
    at = p.to;
    if (p.touching) touching.add(changes[k]!.hunk);
  });
  if (out !== null) out += o.slice(at).join('');
  return { text: out, at: placed, touching: [...touching] };
}

/** One refusal per hunk, the first of its changes', in hunk order. */
function refusals(changes: readonly PatchChange[], why: ReadonlyArray<string | null>): TouchingRefusal[] {
  const seen = new Map<number, string>();
  why.forEach((w, k) => {
    if (w !== null && !seen.has(changes[k]!.hunk)) seen.set(changes[k]!.hunk, w);
  });
  return [...seen].sort((x, y) => x[0] - y[0]).map(([hunk, w]) => ({ hunk, why: w }));
}

/**
 * The merged text; or the touching changes refused and why (one per hunk, at least one);
 * or null when the patch does not fit the base or upstream changed the patch's own lines.
 * For a merge that conflicted.
 */
export function mergeTouching(text: string, base: string, hunks: readonly Hunk[]): TouchingMerge | TouchingRefusal[] | null {
  const b = splitLines(base);
  const o = splitLines(text);
  const at = landAtStated(hunks, new LineIndex(b, rawKey));
  if (!at) return null;
  const t = splitLines(splice(b, hunks, at, false).text);
  const changes = patchChanges(hunks, at);
  const bIdx = new LineIndex(b, rawKey);
  const oIdx = new LineIndex(o, rawKey);
  const git = gitMap(b, o);
  const first = mergeWith(changes, t, b, o, git, bIdx, oIdx);
  if (first.text === null) {
    // A change upstream also changed (null) does not hide a refusal of another one.
    const r = refusals(changes, first.at.map((p) => (typeof p === 'string' ? p : null)));
    return r.length ? r : null;
  }
  if (first.touching.length === 0) return null; // no more diffs
  const rev = reversedMap(b, o);
  const maps = [rev];
  for (const m of [git, rev]) for (const up of [true, false]) maps.push(slidMap(m, b, o, up), slidMap(m, b, o, up, true));
  if (b.length <= CROSS_CHECK_MAX && o.length <= CROSS_CHECK_MAX) maps.push(lcsMap(b, o));
  // Under git's alignment every change is placed; under each other one, a change refused
  // keeps its reason, and one placed elsewhere or not at all (upstream's lines, under that
  // alignment) disagrees. All alignments are read, so that every such hunk is named.
  const why: Array<string | null> = changes.map(() => null);
  let differ = false;
  for (const m of maps) {
    const r = mergeWith(changes, t, b, o, m, bIdx, oIdx);
    if (r.text === first.text) continue;
    differ = true;
    r.at.forEach((p, k) => {
      const f = first.at[k] as Placed;
      if (why[k] !== null) return;
      if (typeof p === 'string') why[k] = p;
      else if (!p || p.from !== f.from || p.to !== f.to) why[k] = WHY.disagree;
    });
  }
  if (!differ) return first.text === null ? null : { text: first.text, touching: first.touching };
  const r = refusals(changes, why);
  return r.length ? r : [{ hunk: first.touching[0]!, why: WHY.disagree }];
}
