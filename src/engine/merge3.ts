/**
 * Line-based 3-way merge shaped like `git merge-file -p ours base theirs` (git 2.39).
 *   base "a\nb\nc\n", ours "A\nb\nc\n", theirs "a\nb\nC\n" -> clean "A\nb\nC\n"
 * Lines keep their terminators (types.ts contract), so CRLF and a missing final newline
 * go through byte for byte. Where both sides changed the same or touching lines
 * differently the result carries git-style markers:
 *   <<<<<<< ours / [||||||| base (diff3 style)] / ======= / >>>>>>> theirs
 *
 * The merge follows git's xdiff merge (xmerge.c) step by step, in our own code:
 *  1. two edit scripts, base->ours and base->theirs (edit-script.ts): diff.ts's line diff
 *     (Myers, patience anchors on big ranges: linear-ish on a 100k-line file, where
 *     node-diff3's LCS took over a minute), then each change group slid as git's
 *     xdl_change_compact does, so a change in a run of repeated lines sits where git puts it;
 *  2. the scripts walked together: changes that overlap OR TOUCH are one region; a region
 *     both sides changed identically is clean, any other is a conflict;
 *  3. merge style only ("zealous alnum"): each conflict is re-diffed ours vs theirs and
 *     shrunk to the lines that really differ; conflicts at most 3 lines apart, or apart
 *     only by lines without a letter or digit, are joined into one;
 *  4. markers: CRLF when the lines around the conflict are CRLF (git's is_cr_needed); a
 *     side whose last line has no newline gets one before the next marker.
 * The byte-for-byte claim is measured against the real git in test/engine/merge3-git.test.ts.
 */
import { diff3Merge } from 'node-diff3';
import { movedOver, script, slide, type Change } from './edit-script.js';
import { splitLines } from './lines.js';

export interface Merge3Options {
  style?: 'merge' | 'diff3';
  labels?: { ours?: string; base?: string; theirs?: string };
}

export interface Merge3Result {
  clean: boolean;
  conflicts: number;
  text: string;
  /**
   * Where each conflict was written: `from`/`to` are the 1-based lines of its `<<<<<<<` and
   * `>>>>>>>` markers in `text`; [i2, i2 + chg2) the theirs lines it holds (0-based), to
   * tell which change of theirs it belongs to.
   */
  marked?: ConflictMark[];
}

export interface ConflictMark {
  from: number;
  to: number;
  i2: number;
  chg2: number;
}

/** A merge region. mode 0 conflict, 1 take ours, 2 take theirs, 4 identical (ours). */
interface Region {
  mode: 0 | 1 | 2 | 4;
  i0: number;
  chg0: number;
  i1: number;
  chg1: number;
  i2: number;
  chg2: number;
}

function append(list: Region[], r: Region): void {
  const m = list[list.length - 1];
  if (m && (r.i1 <= m.i1 + m.chg1 || r.i2 <= m.i2 + m.chg2)) {
    if (r.mode !== m.mode) m.mode = 0;
    m.chg0 = r.i0 + r.chg0 - m.i0;
    m.chg1 = r.i1 + r.chg1 - m.i1;
    m.chg2 = r.i2 + r.chg2 - m.i2;
  } else list.push({ ...r });
}

function sameLines(a: readonly string[], i: number, b: readonly string[], j: number, n: number): boolean {
  for (let k = 0; k < n; k++) if (a[i + k] !== b[j + k]) return false;
  return true;
}

/** Step 2: walk both scripts (git's xdl_do_merge loop). */
function regions(x1: Change[], x2: Change[], nb: number, no: number, nt: number, ours: readonly string[], theirs: readonly string[]): Region[] {
  const list: Region[] = [];
  let p = 0;
  let q = 0;
  while (p < x1.length && q < x2.length) {
    const c1 = x1[p]!;
    const c2 = x2[q]!;
    if (c1.i1 + c1.chg1 < c2.i1) {
      append(list, { mode: 1, i0: c1.i1, chg0: c1.chg1, i1: c1.i2, chg1: c1.chg2, i2: c2.i2 - c2.i1 + c1.i1, chg2: c1.chg1 });
      p++;
      continue;
    }
    if (c2.i1 + c2.chg1 < c1.i1) {
      append(list, { mode: 2, i0: c2.i1, chg0: c2.chg1, i1: c1.i2 - c1.i1 + c2.i1, chg1: c2.chg1, i2: c2.i2, chg2: c2.chg2 });
      q++;
      continue;
    }
    const same = c1.i1 === c2.i1 && c1.chg1 === c2.chg1 && c1.chg2 === c2.chg2 && sameLines(ours, c1.i2, theirs, c2.i2, c1.chg2);
    if (!same) {
      const off = c1.i1 - c2.i1;
      const ffo = off + c1.chg1 - c2.chg1;
      let i0 = c1.i1;
      let i1 = c1.i2;
      let i2 = c2.i2;
      if (off > 0) {
        i0 -= off;
        i1 -= off;
      } else i2 += off;
      let chg0 = c1.i1 + c1.chg1 - i0;
      let chg1 = c1.i2 + c1.chg2 - i1;
      let chg2 = c2.i2 + c2.chg2 - i2;
      if (ffo < 0) {
        chg0 -= ffo;
        chg1 -= ffo;
      } else chg2 += ffo;
      append(list, { mode: 0, i0, chg0, i1, chg1, i2, chg2 });
    }
    const e1 = c1.i1 + c1.chg1;
    const e2 = c2.i1 + c2.chg1;
    if (e1 >= e2) q++;
    if (e2 >= e1) p++;
  }
  for (; p < x1.length; p++) {
    const c = x1[p]!;
    append(list, { mode: 1, i0: c.i1, chg0: c.chg1, i1: c.i2, chg1: c.chg2, i2: c.i1 + nt - nb, chg2: c.chg1 });
  }
  for (; q < x2.length; q++) {
    const c = x2[q]!;
    append(list, { mode: 2, i0: c.i1, chg0: c.chg1, i1: c.i1 + no - nb, chg1: c.chg1, i2: c.i2, chg2: c.chg2 });
  }
  return list;
}

/** Step 3a: shrink each conflict to the lines where ours and theirs really differ. */
function refine(list: Region[], ours: readonly string[], theirs: readonly string[]): Region[] {
  const out: Region[] = [];
  for (const m of list) {
    if (m.mode !== 0 || m.chg1 === 0 || m.chg2 === 0) {
      out.push(m);
      continue;
    }
    const sub = script(ours.slice(m.i1, m.i1 + m.chg1), theirs.slice(m.i2, m.i2 + m.chg2));
    if (sub.length === 0) {
      out.push({ ...m, mode: 4 });
      continue;
    }
    for (const c of sub) out.push({ ...m, mode: 0, i1: c.i1 + m.i1, chg1: c.chg1, i2: c.i2 + m.i2, chg2: c.chg2 });
  }
  return out;
}

const hasAlnum = (lines: readonly string[], from: number, to: number): boolean => {
  for (let k = from; k < to; k++) if (/[A-Za-z0-9]/.test(lines[k]!)) return true;
  return false;
};

/** Step 3b: join conflicts at most 3 lines apart, or apart only by lines with no alnum. */
function simplify(list: Region[], ours: readonly string[]): Region[] {
  const out: Region[] = [];
  for (const r of list) {
    const m = out[out.length - 1];
    if (m && m.mode === 0 && r.mode === 0) {
      const begin = m.i1 + m.chg1;
      const end = r.i1;
      if (end - begin <= 3 || !hasAlnum(ours, begin, end)) {
        m.chg1 = r.i1 + r.chg1 - m.i1;
        m.chg2 = r.i2 + r.chg2 - m.i2;
        continue;
      }
    }
    out.push({ ...r });
  }
  return out;
}

/** git's is_eol_crlf: 1 CRLF, 0 LF, -1 cannot tell. */
function eolCrlf(recs: readonly string[], i: number): number {
  const n = recs.length;
  const crlf = (l: string): number => (l.length > 1 && l.endsWith('\r\n') ? 1 : 0);
  if (i < n - 1) return crlf(recs[i]!);
  if (n === 0) return -1;
  const last = recs[i]!;
  if (last.endsWith('\n')) return crlf(last);
  if (i === 0) return -1;
  return crlf(recs[i - 1]!);
}

function needsCr(base: readonly string[], ours: readonly string[], theirs: readonly string[], m: Region): boolean {
  let cr = eolCrlf(ours, m.i1 ? m.i1 - 1 : 0);
  if (cr) cr = eolCrlf(theirs, m.i2 ? m.i2 - 1 : 0);
  if (cr) cr = eolCrlf(base, 0);
  return cr > 0;
}

function copy(recs: readonly string[], i: number, count: number, addNl: boolean, cr: boolean): string {
  if (count < 1) return '';
  let s = '';
  for (let k = i; k < i + count; k++) s += recs[k]!;
  if (addNl && !s.endsWith('\n')) s += cr ? '\r\n' : '\n';
  return s;
}

export function merge3(ours: string, base: string, theirs: string, opts: Merge3Options = {}): Merge3Result {
  const [o, b, t] = [splitLines(ours), splitLines(base), splitLines(theirs)];
  return mergeLines(o, b, t, script(b, o), script(b, t), opts);
}

/**
 * The cascade's merge: theirs is base + a patch, and the patch's own hunks ARE the
 * base -> theirs edit script (its author's alignment), so they are used instead of a
 * re-diff. A re-diff may align a repeated line ("```js", a blank) with the other copy
 * and move the patch's insertion: commander Readme.md on the drift bench, where
 * `git merge-file` and `git apply --3way` put a paragraph 11 lines off.
 * `changes`: [baseStart, baseCount, theirsStart, theirsCount], 0-based, in order.
 *
 * Where a change of the patch can slide over equal lines, its place among them is the
 * diff tool's habit, not the author's word, and it can make the change touch an edit
 * of ours next to it (a conflict). So when the patch's own script conflicts, the same
 * script slid as git slides (edit-script.ts slide) is tried, but only where ours left
 * every line the slide crosses alone and inserted nothing among them: then every place
 * of the change in that run of equal lines gives the same bytes, and a clean one is the
 * answer. (Where the patch's own script merges cleanly, it is kept: its context lines
 * are the patch's word for where its lines go.)
 *   commander lib/option.js (drift bench): upstream deleted "Priority order ..."; the
 *   patch inserts " *", "An environment ..." right after it (touching: conflict); slid,
 *   "An environment ...", " *" go after the " *" below, which upstream kept: clean.
 */
export function mergeWithScript(ours: string, base: string, theirs: string, changes: ReadonlyArray<readonly [number, number, number, number]>, opts: Merge3Options = {}): Merge3Result {
  const [o, b, t] = [splitLines(ours), splitLines(base), splitLines(theirs)];
  const x1 = script(b, o);
  const own = changes.map(([i1, chg1, i2, chg2]) => ({ i1, chg1, i2, chg2 }));
  const m = mergeLines(o, b, t, x1, own, opts);
  if (m.clean) return m;
  const slid = slide(b, t, own);
  const crossed = movedOver(own, slid, b.length);
  if (crossed.length === 0 || crossed.some(([from, to]) => x1.some((c) => crosses(c, from, to)))) return m;
  const g = mergeLines(o, b, t, x1, slid, opts);
  return g.clean ? g : m;
}

/**
 * Ours' change c edits a base line of [from, to), or inserts inside it or at either end
 * (where the patch's change, at that end, would come before or after ours: no telling).
 */
const crosses = (c: Change, from: number, to: number): boolean =>
  c.chg1 > 0 ? c.i1 < to && c.i1 + c.chg1 > from : c.i1 >= from && c.i1 <= to;

function mergeLines(o: string[], b: string[], t: string[], x1: Change[], x2: Change[], opts: Merge3Options): Merge3Result {
  const ours = o.join('');
  const theirs = t.join('');
  if (x1.length === 0) return { clean: true, conflicts: 0, text: theirs };
  if (x2.length === 0) return { clean: true, conflicts: 0, text: ours };
  const diff3 = opts.style === 'diff3';
  let list = regions(x1, x2, b.length, o.length, t.length, o, t);
  // "diff3 -m" output makes no sense for anything more aggressive than git's EAGER level.
  if (!diff3) list = simplify(refine(list, o, t), o);
  const lab = { ours: 'ours', base: 'base', theirs: 'theirs', ...opts.labels };
  let text = '';
  let i = 0;
  let conflicts = 0;
  const marked: ConflictMark[] = [];
  // Lines written so far: each record copied is one line (a side without a final newline
  // gets one before the next marker), each marker one.
  let out = 0;
  const put = (recs: readonly string[], from: number, count: number, addNl: boolean, cr: boolean): void => {
    text += copy(recs, from, count, addNl, cr);
    out += Math.max(count, 0);
  };
  for (const m of list) {
    if (m.mode === 0) {
      conflicts++;
      const cr = needsCr(b, o, t, m);
      const nl = cr ? '\r\n' : '\n';
      put(o, i, m.i1 - i, false, cr);
      const from = out + 1;
      text += `<<<<<<< ${lab.ours}${nl}`;
      out++;
      put(o, m.i1, m.chg1, true, cr);
      if (diff3) {
        text += `||||||| ${lab.base}${nl}`;
        out++;
        put(b, m.i0, m.chg0, true, cr);
      }
      text += `=======${nl}`;
      out++;
      put(t, m.i2, m.chg2, true, cr);
      text += `>>>>>>> ${lab.theirs}${nl}`;
      out++;
      marked.push({ from, to: out, i2: m.i2, chg2: m.chg2 });
    } else if (m.mode === 1) put(o, i, m.i1 + m.chg1 - i, false, false);
    else if (m.mode === 2) put(t, m.i2 - m.i1 + i, m.i1 + m.chg2 - i, false, false);
    else continue;
    i = m.i1 + m.chg1;
  }
  put(o, i, o.length - i, false, false);
  return conflicts === 0 ? { clean: true, conflicts, text } : { clean: false, conflicts, text, marked };
}

/**
 * A second opinion for the cascade: node-diff3's clean merge text, or null when it sees a
 * conflict. Its LCS aligns repeated lines its own way; where it and mergeWithScript both
 * merge cleanly to the same bytes, two alignments agree. Quadratic: only for small files.
 */
export function secondOpinion(ours: string, base: string, theirs: string): string | null {
  let text = '';
  for (const r of diff3Merge(splitLines(ours), splitLines(base), splitLines(theirs), { excludeFalseConflicts: true })) {
    if (!r.ok) return null;
    text += r.ok.join('');
  }
  return text;
}
