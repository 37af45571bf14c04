/**
 * Where a hunk lands when its old side is not in the file byte for byte.
 *
 * Three steps, each only accepting a UNIQUE match (two equally good places = refuse):
 *  1. GNU fuzz (the floor; `fuzz` keeps GNU's meaning): drop up to f leading and f
 *     trailing CONTEXT lines, f = 1..opts.fuzz, fewer first, then search exactly.
 *       hunk " a\n b\n-c\n+C\n d\n" with file "x\nb\nc\nd\n": fuzz 1 drops " a" and " d".
 *  2. whitespace: the whole old side compared with whitespace runs collapsed
 *     (upstream reformatted or reindented the block).
 *  3. similar: the removed lines must still be there (modulo whitespace) and the context
 *     lines must be similar on average (Dice >= minSimilarity), e.g. a neighbouring
 *     argument was renamed upstream.
 * The lines a hunk removes are never "similar": removing a line the patch did not see
 * would destroy upstream's change. Steps 2 and 3 report the similarity they saw.
 */
import type { Hunk } from '../types.js';
import { findExact, oldSide, type LineIndex } from './exact.js';

export { oldSide };
import { nearestFirst } from './offset.js';
import { widerContext } from './wider.js';
import { dice, indentOf, similarity, wsKey } from './similarity.js';

export type LandingKind = 'exact' | 'fuzz' | 'whitespace' | 'similar';

/** A hunk placed in the input: hunk.lines[first, last) cover input lines from pos. */
export interface Landing {
  pos: number;
  first: number;
  last: number;
  fuzz: number;
  similarity: number;
  kind: LandingKind;
}

export interface FuzzyOptions {
  fuzz: number;
  /** Break a fuzz tie by the dropped context (locate/wider.ts); the cascade's last resort. */
  wide?: boolean;
  fuzzy: boolean;
  minSimilarity: number;
}

export interface FuzzyOutcome {
  landing?: Landing;
  /** Best candidate (0-based input index) for the report, when any. */
  best: number | null;
  reason: string;
}

function countEdge(h: Hunk, fromEnd: boolean): number {
  let n = 0;
  const L = h.lines;
  for (let i = 0; i < L.length && L[fromEnd ? L.length - 1 - i : i]!.op === ' '; i++) n++;
  return n;
}

/**
 * The trims tried at fuzz level f, strongest first. GNU's own (locate_hunk): a side with
 * less context than the other (a hunk at the start or end of the file) loses fewer lines,
 * front = f - (context - lead), back = f - (context - trail), context = max(lead, trail).
 * Then patchq's symmetric one, min(f, lead) and min(f, trail), when it differs.
 *   semver functions/diff.js (drift bench): 3 lines of context above, 2 below (end of
 *   file); fuzz 2 keeps "  }", "}" where the symmetric trim keeps only "  }" (twice).
 */
function trims(f: number, lead: number, trail: number): Array<[number, number]> {
  const context = Math.max(lead, trail);
  const gnu: [number, number] = [Math.max(0, f - (context - lead)), Math.max(0, f - (context - trail))];
  const sym: [number, number] = [Math.min(f, lead), Math.min(f, trail)];
  return gnu[0] === sym[0] && gnu[1] === sym[1] ? [gnu] : [gnu, sym];
}

function fuzzStep(idx: LineIndex, h: Hunk, from: number, to: number, stated: number, max: number, wideOk: boolean): FuzzyOutcome | null {
  const lead = countEdge(h, false);
  const trail = countEdge(h, true);
  const tried = new Set<string>(['0,0']);
  for (let f = 1; f <= max; f++) {
    for (const [front, back] of trims(f, lead, trail)) {
      // Same trim as before (no more context to drop): nothing new to try.
      if (tried.has(`${front},${back}`)) continue;
      tried.add(`${front},${back}`);
      const last = h.lines.length - back;
      const needle = oldSide(h, front, last);
      // Any non-empty needle is searched, however short next to what was dropped: 3 + 3
      // context and 2 removed lines leave 4 lines at fuzz 2, and uniqueness in the window
      // is the evidence (lodash _baseSortedIndexBy.js on the drift bench).
      if (needle.length === 0) continue;
      const c = findExact(idx, needle, from, to);
      if (c.length === 1) return { landing: { pos: c[0]!, first: front, last, fuzz: f, similarity: 1, kind: 'fuzz' }, best: c[0]!, reason: '' };
      if (c.length > 1) {
        const wide = wideOk ? widerContext(idx, h, c, front, last, from, to) : null;
        if (wide) return { landing: { ...wide, similarity: 1, kind: 'fuzz' }, best: wide.pos, reason: '' };
        return ambiguous(nearestFirst(c, stated + front));
      }
    }
  }
  return null;
}

export function ambiguous(c: readonly number[]): FuzzyOutcome {
  const [a, b] = [...c.slice(0, 2)].sort((x, y) => x - y);
  return { best: c[0]!, reason: `ambiguous: pre-image found at lines ${a! + 1} and ${b! + 1}` };
}

/**
 * Mean raw similarity (bytes as they are) of the old side vs the file at pos, for the
 * report of a hunk that landed with whitespace collapsed (one call per hunk).
 */
function rawScore(lines: readonly string[], h: Hunk, pos: number): number {
  let p = pos;
  let sum = 0;
  let n = 0;
  for (const l of h.lines) {
    if (l.op === '+') continue;
    sum += similarity(lines[p++]!, l.text, true);
    n++;
  }
  return n === 0 ? 1 : sum / n;
}

/**
 * Mean similarity of context lines vs the file at pos (both keyed by wsKey: `keys` is the
 * file's, `old` the hunk's old side), and whether removed lines match.
 */
function score(keys: readonly string[], old: ReadonlyArray<{ op: string; key: string }>, pos: number): { ok: boolean; sim: number } {
  let p = pos;
  let sum = 0;
  let n = 0;
  for (const l of old) {
    const f = keys[p++];
    if (f === undefined) return { ok: false, sim: 0 };
    if (l.op === '-') {
      if (f !== l.key) return { ok: false, sim: 0 };
    } else {
      // Every context line must still look like itself. An unrelated line here usually
      // means upstream inserted or removed lines inside the hunk, so the alignment (and
      // the place of the added lines) would be wrong: "d" vs "new 0:0" scores 0.
      const sim = dice(f, l.key, CONTEXT_FLOOR);
      if (sim < CONTEXT_FLOOR) return { ok: false, sim: 0 };
      sum += sim;
      n++;
    }
  }
  return { ok: true, sim: n === 0 ? 1 : sum / n };
}

/** Minimum similarity of EACH context line in the similar step (the mean must reach minSimilarity). */
const CONTEXT_FLOOR = 0.5;

/** How much better than the runner-up a similar-context match must score. */
const SIMILAR_MARGIN = 0.1;

/** Cap for the pure-insertion scan (no removed line to anchor on): positions x lines. */
const SCAN_BUDGET = 2_000_000;

function similarStep(ws: LineIndex, h: Hunk, from: number, to: number, min: number): FuzzyOutcome {
  const needle = oldSide(h);
  // Anchor on the first removed line: it must be in the file (modulo whitespace).
  const k = h.lines.filter((l) => l.op !== '+').findIndex((l) => l.op === '-');
  let starts: number[];
  if (k >= 0) starts = ws.positions(wsKey(needle[k]!)).map((q) => q - k);
  else if ((to - from) * needle.length <= SCAN_BUDGET) starts = Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
  else starts = [];
  const good: Array<{ pos: number; sim: number }> = [];
  const all: Array<{ pos: number; sim: number }> = [];
  // Keyed once: each line of the hunk is compared at every start.
  const old = h.lines.filter((l) => l.op !== '+').map((l) => ({ op: l.op, key: wsKey(l.text) }));
  for (const pos of starts) {
    if (pos < from || pos + needle.length > to) continue;
    const s = score(ws.keys, old, pos);
    if (!s.ok) continue;
    all.push({ pos, sim: s.sim });
    if (s.sim >= min) good.push({ pos, sim: s.sim });
  }
  all.sort((x, y) => y.sim - x.sim);
  const best = all[0] ?? null;
  // A unique pass is not enough when the runner-up is nearly as similar (0.71 vs 0.66):
  // that is two plausible places, i.e. ambiguous. Demand a clear margin.
  if (good.length === 1 && all.length > 1 && all[0]!.sim - all[1]!.sim < SIMILAR_MARGIN) {
    return { best: all[0]!.pos, reason: `ambiguous: similar context at lines ${all[0]!.pos + 1} and ${all[1]!.pos + 1}` };
  }
  if (good.length === 1) {
    const g = good[0]!;
    return { landing: { pos: g.pos, first: 0, last: h.lines.length, fuzz: 0, similarity: g.sim, kind: 'similar' }, best: g.pos, reason: '' };
  }
  if (good.length > 1) return ambiguous(good.map((g) => g.pos));
  if (best) return { best: best.pos, reason: `context differs: similarity ${best.sim.toFixed(2)} below ${min}` };
  return { best: null, reason: k >= 0 ? 'no match: removed lines differ' : 'no match' };
}

/**
 * Steps 1-3 for one hunk within input lines [from, to). `idx` keys lines exactly (or
 * CR-insensitively), `ws` keys them by wsKey; both index the same `lines`.
 */
export function findFuzzy(
  lines: readonly string[],
  idx: LineIndex,
  ws: LineIndex,
  h: Hunk,
  win: { from: number; to: number; stated: number },
  opts: FuzzyOptions,
): FuzzyOutcome {
  const f = fuzzStep(idx, h, win.from, win.to, win.stated, opts.fuzz, opts.wide === true);
  if (f) return f;
  if (!opts.fuzzy) return { best: null, reason: 'no match' };
  const needle = oldSide(h);
  if (needle.length === 0) return { best: null, reason: 'no match' };
  const c = findExact(ws, needle, win.from, win.to);
  if (c.length === 1) {
    const sim = rawScore(lines, h, c[0]!);
    return { landing: { pos: c[0]!, first: 0, last: h.lines.length, fuzz: 0, similarity: sim, kind: 'whitespace' }, best: c[0]!, reason: '' };
  }
  if (c.length > 1) return ambiguous(nearestFirst(c, win.stated));
  return similarStep(ws, h, win.from, win.to, opts.minSimilarity);
}

/**
 * Indentation shift between the hunk's old side and the file where it landed, when it
 * is uniform: upstream reindented a block by 4 spaces -> { add: "    " }; dedented -> { cut: 4 }.
 * Any disagreement (tabs vs spaces, mixed shifts) -> null: keep the patch's indentation.
 */
export type IndentShift = { add: string } | { cut: number } | null;

export function indentShift(lines: readonly string[], h: Hunk, land: Landing): IndentShift {
  let shift: string | null = null;
  let p = land.pos;
  for (const l of h.lines.slice(land.first, land.last)) {
    if (l.op === '+') continue;
    const f = lines[p++]!;
    if (wsKey(f) === '' || wsKey(l.text) === '') continue;
    const hi = indentOf(l.text);
    const fi = indentOf(f);
    const d = fi.startsWith(hi) ? '+' + fi.slice(hi.length) : hi.startsWith(fi) ? '-' + String(hi.length - fi.length) : '?';
    if (shift !== null && shift !== d) return null;
    shift = d;
  }
  if (shift === null || shift === '?' || shift === '+' || shift === '-0') return null;
  return shift[0] === '+' ? { add: shift.slice(1) } : { cut: Number(shift.slice(1)) };
}

/**
 * When the shift is not uniform (upstream went from 4-space to 2-space indentation: the
 * block's first line kept 0, the others lost half), each indentation of the hunk's context
 * maps to the one the file has there: '' -> '', '    ' -> '  ', '        ' -> '    '.
 * null when one indentation maps to two (no consistent mapping).
 */
export function indentMap(lines: readonly string[], h: Hunk, land: Landing): Map<string, string> | null {
  const map = new Map<string, string>();
  let p = land.pos;
  for (const l of h.lines.slice(land.first, land.last)) {
    if (l.op === '+') continue;
    const f = lines[p++]!;
    if (wsKey(f) === '' || wsKey(l.text) === '') continue;
    const [hi, fi] = [indentOf(l.text), indentOf(f)];
    if (map.has(hi) && map.get(hi) !== fi) return null;
    map.set(hi, fi);
  }
  return map;
}

/** An added line under a non-uniform reindent: the file's indentation for the patch's, where the context shows it. */
export function mapIndent(line: string, m: Map<string, string> | null): string {
  if (!m || wsKey(line) === '') return line;
  const i = indentOf(line);
  return m.has(i) ? m.get(i)! + line.slice(i.length) : line;
}

export function shiftLine(line: string, s: IndentShift): string {
  if (!s || wsKey(line) === '') return line;
  if ('add' in s) return s.add + line;
  return indentOf(line).length >= s.cut ? line.slice(s.cut) : line;
}

/**
 * Write the landed hunks into the text. Context lines keep the FILE's bytes (its CRLF,
 * its reformatting); added lines take the file's CRLF when the patch is LF, and the
 * uniform indentation shift when they landed whitespace-insensitively.
 * Returns the text and each landed hunk's 0-based start in the output.
 */
export function splice(lines: readonly string[], hunks: readonly Hunk[], lands: ReadonlyArray<Landing | null>, crlf: boolean, src?: string) {
  const out: string[] = [];
  const newPos: Array<number | null> = [];
  let p = 0;
  // `src` (the text `lines` were split from): the lines between hunks are copied as one
  // slice of it, not one by one (a long file patched in a few places is mostly such runs).
  // `lines` may then stop after the last landing (splitLines with a limit): the rest of
  // `src` follows it unchanged.
  let off = 0;
  const copyTo = (end: number) => {
    if (src === undefined) {
      while (p < end) out.push(lines[p++]!);
      return;
    }
    const from = off;
    while (p < end) off += lines[p++]!.length;
    if (off > from) out.push(src.slice(from, off));
  };
  let outLines = 0;
  hunks.forEach((h, i) => {
    const L = lands[i];
    if (!L) return void newPos.push(null);
    outLines += L.pos - p;
    copyTo(L.pos);
    newPos.push(outLines - L.first);
    const shift = L.kind === 'whitespace' || L.kind === 'similar' ? indentShift(lines, h, L) : null;
    // No uniform shift: the indentations the context lines show (see indentMap).
    const remap = !shift && (L.kind === 'whitespace' || L.kind === 'similar') ? indentMap(lines, h, L) : null;
    // CRLF only where this hunk matched CRLF file lines with its LF lines ("x\r\n" vs "x\n"):
    // a mixed-EOL file keeps the patch's bytes wherever the patch matched byte for byte.
    // A hunk that matched no line (a -U0 insertion) follows the file, CRLF throughout here.
    const cr = crlf && (landedOnCrlf(lines, h, L) || oldSide(h, L.first, L.last).length === 0);
    for (const l of h.lines.slice(L.first, L.last)) {
      if (l.op === ' ') {
        out.push(lines[p]!);
        outLines++;
        off += lines[p++]!.length;
      } else if (l.op === '-') off += lines[p++]!.length;
      else {
        const t = shift ? shiftLine(l.text, shift) : mapIndent(l.text, remap);
        out.push(cr && t.endsWith('\n') && !t.endsWith('\r\n') ? t.slice(0, -1) + '\r\n' : t);
        outLines++;
      }
    }
  });
  if (src === undefined) copyTo(lines.length);
  else if (off < src.length) out.push(src.slice(off));
  return { text: out.join(''), newPos };
}

function landedOnCrlf(lines: readonly string[], h: Hunk, L: Landing): boolean {
  let p = L.pos;
  for (const l of h.lines.slice(L.first, L.last)) {
    if (l.op === '+') continue;
    const f = lines[p++]!;
    if (f.endsWith('\r\n') && !l.text.endsWith('\r\n')) return true;
  }
  return false;
}
