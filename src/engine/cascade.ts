/**
 * THE CASCADE: where each hunk of one file lands, and why. Pure; text in, text + report out.
 *
 * Running example: the pooling patch's hunk `-    poolclass=NullPool,` / `+    poolclass=StaticPool,`
 * stated at line 12 of database/users.py.
 *
 * 1. Identity. If the caller's base equals the text, or git's blob id of the text starts
 *    with the patch's `index <old>..` id, the file IS the pre-image: every hunk must match
 *    at its stated line exactly, and lands there (exact). If one does not, the index line
 *    lied and we fall through to the full cascade.
 * 2. Exact search. ALL exact positions of each hunk's old side are collected (line-hash
 *    index, see locate/exact.ts). Walking the hunks in order, a hunk may not start before
 *    the end of the previous landed hunk (GNU's last_frozen_line) nor end after the start
 *    of the next uniquely found one. One candidate in that window: land it (exact when at
 *    the stated line, offset otherwise). Several: nearest is NOT evidence (flask: the
 *    engine block appears in two functions; GNU patch patches the nearer, wrong one).
 *    Accept only on evidence: (a) the order of the hunks (locate/offset.ts `feasible`: two
 *    identical hunks and two copies force hunk 1 -> copy 1), the only candidate between
 *    the landed neighbours, or the only one whose offset equals an offset of its two
 *    sides (previous landed hunk or top of file = 0; next unique hunk; the end of the
 *    file is unknown, so a last hunk gets no offset evidence); (b) with a base that IS the
 *    pre-image, the one at the stated line mapped through diff(base, text). With such a
 *    base even a lone candidate must sit there (a lone copy, while the real place was
 *    edited upstream, goes to the merge). Else pending, "ambiguous: pre-image found at
 *    lines 40 and 97". Without a base, a lone candidate at an offset neither side has
 *    is refused too when, at a side's offset, the hunk's own lines are there with one or
 *    two edited (locate/offset.ts `rivalAtSides`): two handlers share their tail, upstream
 *    edited onOpen's copy, and onClose's is the only exact one left; GNU patch patches
 *    onClose. A hunk with no old side (diff -U0 insertion) has no place of its
 *    own: it needs both sides agreeing on one offset, the base mapping, or line 0.
 *    Line endings: an LF patch matches a file that is CRLF throughout, ignoring the CR;
 *    in a mixed file lines are compared byte for byte.
 * 3. 3-way merge (base given, merge !== 'none', merge-patch.ts): theirs = patch applied
 *    exactly to base; merge3(ours=text, base, theirs) with the patch's own hunks as the
 *    base -> theirs script. Clean (and confirmed): that text is the result and pending
 *    hunks are `merged`. Conflict where the patch's changes only touch upstream's and the
 *    texts place them (merge-touching.ts): merged too, "3-way: touching upstream change".
 *    Else keep the marked text aside and go on. A hunk the touching rule refused because
 *    its place is not in the texts (an equal line slides it, its lines are not unique,
 *    alignments disagree, upstream inserted at its point) is held: step 4 does not land
 *    it either, though fuzz finds one match once the context is short (GNU's would).
 *      base "Intro. _ _ ## Usage", upstream removed a blank, the fork inserts between the
 *      blanks with 2 lines of context above: fuzz 2 keeps "_" and lands; held, it fails
 *      "...; 3-way: next to an upstream change, and an equal line there makes ...".
 *    A plain conflict (upstream changed the patch's lines) holds nothing.
 * 4. Fuzzy (locate/fuzzy.ts): GNU fuzz 1..opts.fuzz, then whitespace-insensitive, then
 *    similar context (with a 0.1 margin over the runner-up); unique matches only, inside
 *    the same neighbour window. E.g. upstream reindented the block by 4 spaces: lands as
 *    "fuzzy: whitespace" and the added lines get the same 4 spaces. With a base that is
 *    the pre-image, a fuzzy landing must also agree with it (baseAgrees); without one, it
 *    is refused for a rival at its sides' offset, as a lone exact copy is. Steps 2 and 4 then
 *    repeat (settle) while they land something: each landing narrows its neighbours'
 *    windows. Last, a fuzz tie may be broken by the dropped context (locate/wider.ts),
 *    one hunk at a time, the plain rounds going first again after each.
 * 5. Still pending: failed, with the best candidate and the reason. With keepConflicts and
 *    a conflicted merge, the conflict-marked text is the result and those hunks fail with
 *    reason "conflict".
 */
import { blobIdMatches } from './git-hash.js';
import { splitLines } from './lines.js';
import { crlfKey, differingAt, findExact, landAtStated, LineIndex, oldSide, rawKey, statedIndex, whole } from './locate/exact.js';
import { findFuzzy, splice, type Landing } from './locate/fuzzy.js';
import { baseMapper, feasible, nearestFirst, pickByNeighbours, placeInsertion, rivalAtSides } from './locate/offset.js';
import { wsKey } from './locate/similarity.js';
import { mergePatch, type PatchMerge } from './merge-patch.js';
import { placeAmbiguous } from './merge-touching.js';
import type { ApplyOptions, Hunk, HunkReport } from './types.js';

export interface CascadeInput {
  hunks: readonly Hunk[];
  text: string;
  base?: string | null;
  /** From the patch's `index` line. */
  oldId?: string;
  /** The patch travelled with CRLF (ParsedPatch.crlfTransport). */
  crlfTransport?: boolean;
}

export interface CascadeResult {
  text: string;
  hunks: HunkReport[];
  /** The text carries conflict markers (keepConflicts). */
  conflict: boolean;
}

interface Pending {
  best: number | null;
  reason: string;
}

/**
 * Step 2 for every hunk; returns landings (null = pending) and why the others wait.
 * `found` holds each hunk's exact candidates (findExact over the whole file). `pre`, on a
 * later round, holds hunks that already landed (by fuzz, say): they stay, and bound
 * their neighbours' windows like a unique exact hunk does.
 */
function exactPass(input: CascadeInput, lines: readonly string[], found: ReadonlyArray<readonly number[]>, pre: ReadonlyArray<Landing | null> | null, differ: Differ) {
  const { hunks } = input;
  const stated = hunks.map(statedIndex);
  const lens = hunks.map((h, i) => (pre?.[i] ? oldSide(h, pre[i]!.first, pre[i]!.last).length : oldSide(h).length));
  const cands = feasible(hunks.map((_, i) => (pre?.[i] ? [pre[i]!.pos] : found[i]!)), lens, lines.length);
  const unique = cands.map((c, i) => (pre?.[i] ? pre[i]!.pos : c.length === 1 ? c[0]! : null));
  // Offset of a hunk's virtual start (a fuzz landing starts `first` lines into the hunk).
  const offAt = (i: number, pos: number): number => pos - (pre?.[i]?.first ?? 0) - stated[i]!;
  const lands: Array<Landing | null> = hunks.map((_, i) => pre?.[i] ?? null);
  const pend: Pending[] = hunks.map(() => ({ best: null, reason: 'no match' }));
  let map: ((i: number) => number | null) | null = null;
  let lastEnd = 0;
  let lastOff: number | null = null;
  let j = 0;
  const mapper = (): ((i: number) => number | null) => (map ??= baseMapper(splitLines(input.base!), lines));
  hunks.forEach((h, i) => {
    // The next uniquely found hunk that can still come after us bounds our window. Both i
    // and lastEnd only grow, so this pointer only moves forward: linear over the patch.
    j = Math.max(j, i + 1);
    while (j < hunks.length && (unique[j] === null || unique[j]! < lastEnd)) j++;
    const to = j < hunks.length ? unique[j]! : lines.length;
    // Offset evidence needs BOTH sides: the previous landed hunk's offset (or the top of
    // the file, offset 0, when none landed before) and the next unique hunk's. A copy at
    // the previous side's offset and a copy at the next side's are both one-edit stories
    // (upstream inserted lines below vs above the hunk): ambiguous. With no next hunk the
    // end of the file is the other side, and its offset is unknown: no offset evidence.
    const nextOff = j < hunks.length ? offAt(j, unique[j]!) : null;
    const offsets = nextOff === null ? [] : [...new Set([lastOff ?? 0, nextOff])];
    if (lands[i]) {
      lastEnd = lands[i]!.pos + lens[i]!;
      lastOff = offAt(i, lands[i]!.pos);
      return;
    }
    let pos: number | null = null;
    if (lens[i] === 0) {
      pos = placeInsertion(stated[i]!, offsets, input.base != null ? mapper : null);
      if (pos !== null && input.base != null && stated[i]! > 0 && mapper()(stated[i]! - 1) !== pos - 1) pos = null;
      if (pos === null || pos < lastEnd || pos > to) {
        pos = null;
        pend[i] = { best: null, reason: 'no context: an insertion without context lines needs a landed neighbour or a base' };
      }
    } else {
      pos = pickByNeighbours(cands[i]!, lens[i]!, stated[i]!, { from: lastEnd, to, offsets });
      // With a base, the base is the authority: the hunk lands exactly only where its stated
      // line maps to. A lone copy elsewhere, while the real place was edited upstream, is
      // left to the 3-way merge (found by the property tests).
      if (pos !== null && input.base != null && mapper()(stated[i]!) !== pos) pos = null;
      const inside = cands[i]!.filter((p) => p >= lastEnd && p + lens[i]! <= to);
      // Without a base, a lone copy loses to the hunk's own place, edited, where its
      // neighbours put it (locate/offset.ts rivalAtSides; found by differential fuzzing).
      const rival = pos === null || input.base != null ? null
        : rivalAtSides(pos, stated[i]!, lens[i]!, [lastOff ?? 0, ...(nextOff === null ? [] : [nextOff])], (q) => differ(h, q, lastEnd, to), false);
      if (rival !== null) {
        pend[i] = { best: pos, reason: `${LONE}: pre-image found at line ${pos! + 1}, and with lines changed at line ${rival + 1}, where its neighbours place it` };
        pos = null;
      }
      if (pos === null && inside.length > 1 && input.base != null) {
        const m = mapper()(stated[i]!);
        if (m !== null && inside.includes(m)) pos = m;
      }
      if (pos === null && input.base != null && inside.length === 1) {
        pend[i] = { best: inside[0]!, reason: `${BASE_SAYS}: pre-image changed upstream` };
      } else if (pos === null && rival === null) {
        const near = nearestFirst(inside.length ? inside : cands[i]!, stated[i]! + (lastOff ?? 0));
        const sorted = [...inside].sort((a, b) => a - b);
        const more = inside.length > 2 ? ` (and ${inside.length - 2} more)` : '';
        pend[i] = inside.length > 1
          ? { best: near[0]!, reason: `ambiguous: pre-image found at lines ${sorted[0]! + 1} and ${sorted[1]! + 1}${more}` }
          : cands[i]!.length
            ? { best: near[0]!, reason: 'no match: pre-image only found before the previous hunk or after the next' }
            : { best: null, reason: 'no match' };
      }
    }
    if (pos === null) return;
    lands[i] = whole(h, pos);
    lastEnd = pos + lens[i]!;
    lastOff = pos - stated[i]!;
  });
  return { lands, pend };
}

const BASE_SAYS = 'no match where the base places it';
/** A lone landing refused for its rival at the neighbours' offset: no weaker step lands it either. */
const LONE = 'ambiguous (lone copy)';
const TOUCHING = '3-way: touching upstream change';
/** A verdict a later, weaker "no match" does not overwrite. */
const sticky = (reason: string): boolean => reason.startsWith('ambiguous') || reason.startsWith(BASE_SAYS);

/** differingAt for one hunk within [from, to), at the fuzz factor's tolerance. */
type Differ = (h: Hunk, q: number, from: number, to: number) => number;

/**
 * Step 4 for the pending hunks, in order, each inside the window its landed neighbours
 * leave (previous landed end .. next landed start). Linear in hunks: the neighbours are
 * tracked, not searched. An "ambiguous" verdict from step 2 is kept over a later "no match".
 */
function fuzzyPass(
  hunks: readonly Hunk[],
  lines: readonly string[],
  idx: LineIndex,
  ws: LineIndex,
  lands: Array<Landing | null>,
  pend: Pending[],
  opts: ApplyOptions,
  wide: boolean,
  agrees: ((h: Hunk, L: Landing) => boolean) | null,
  held: ReadonlySet<number>,
  differ: Differ,
): number {
  let landed = 0;
  if (lands.every((l) => l)) return landed;
  const fopts = { fuzz: opts.fuzz ?? 2, fuzzy: opts.fuzzy !== false, minSimilarity: opts.minSimilarity ?? 0.6, wide };
  const nextLanded: number[] = new Array<number>(hunks.length);
  const nextOff: Array<number | null> = new Array<number | null>(hunks.length);
  for (let i = hunks.length - 1, n = lines.length, o: number | null = null; i >= 0; i--) {
    nextLanded[i] = n;
    nextOff[i] = o;
    if (lands[i]) {
      n = lands[i]!.pos;
      o = lands[i]!.pos - lands[i]!.first - statedIndex(hunks[i]!);
    }
  }
  let from = 0;
  let off = 0;
  hunks.forEach((h, i) => {
    if (!lands[i]) {
      const out = findFuzzy(lines, idx, ws, h, { from, to: nextLanded[i]!, stated: statedIndex(h) + off }, fopts);
      const to = nextLanded[i]!;
      // Without a base, a fuzzy landing also loses to the hunk's own place, edited (as in step 2).
      const rival = !out.landing || agrees ? null
        : rivalAtSides(out.landing.pos - out.landing.first, statedIndex(h), oldSide(h).length, [off, ...(nextOff[i] == null ? [] : [nextOff[i]!])], (q) => differ(h, q, from, to), true);
      if (out.landing && pend[i]!.reason.startsWith(LONE)) {
        // Step 2 refused its lone exact copy for a rival: a weaker match proves no more.
      } else if (out.landing && rival !== null) {
        pend[i] = { best: out.landing.pos, reason: `ambiguous: fits at line ${out.landing.pos + 1} (${out.landing.kind}), and with lines changed at line ${rival + 1}, where its neighbours place it` };
      } else if (out.landing && agrees && !agrees(h, out.landing)) {
        pend[i] = { best: out.landing.pos, reason: `${BASE_SAYS}: pre-image changed upstream` };
      } else if (out.landing && held.has(i)) {
        // The 3-way step showed more than one place fits (its reason follows this one).
        pend[i] = { best: pend[i]!.best ?? out.landing.pos, reason: pend[i]!.reason };
      } else if (out.landing) {
        lands[i] = out.landing;
        landed++;
        fopts.wide = false; // one wide landing per pass; the plain passes go first again
      } else if (!sticky(pend[i]!.reason)) pend[i] = out;
    }
    const L = lands[i];
    if (L) {
      from = L.pos + oldSide(h, L.first, L.last).length;
      off = L.pos - L.first - statedIndex(h);
    }
  });
  return landed;
}

/**
 * With a base that IS the pre-image, a fuzzy landing must sit where the base puts the
 * hunk: every line of the landed window that upstream kept (mapped through
 * diff(base, text)) must be the text line the landing matched it with. Lines upstream
 * changed map nowhere and say nothing. The pooling patch on a module with two engines,
 * where upstream made its own edit of the same `poolclass=` line (the merge conflicts):
 * "similar context" finds logs_engine's create_engine call 10 lines down, but the base
 * maps users_engine's kept lines to lines 1-7, so that likeness is not the hunk's place.
 */
function baseAgrees(h: Hunk, L: Landing, map: (i: number) => number | null): boolean {
  let k = statedIndex(h);
  let t = L.pos;
  for (let n = 0; n < h.lines.length; n++) {
    if (h.lines[n]!.op === '+') continue;
    if (n >= L.first && n < L.last) {
      const m = map(k);
      if (m !== null && m !== t) return false;
      t++;
    }
    k++;
  }
  return true;
}

/** At most this many fuzzy passes per file: a hunk that needs more stays pending. */
const MAX_ROUNDS = 8;

/**
 * Steps 2 and 4 to a fixed point, strongest evidence first. A hunk landed by fuzz narrows
 * its neighbours' windows, which can leave one of an ambiguous hunk's copies alone:
 *   minimatch.js (drift bench): hunk 3's pre-image is at lines 582 and 600, hunk 4 lands
 *   by fuzz at 592, so hunk 3 can only be at 582 (GNU patch took the nearer copy).
 * Only when plain passes land nothing more does one wide pass (locate/wider.ts: a fuzz
 * tie broken by the dropped context) land ONE hunk, and the plain passes resume.
 */
function settle(
  input: CascadeInput,
  lines: readonly string[],
  idx: LineIndex,
  found: ReadonlyArray<readonly number[]>,
  lands: Array<Landing | null>,
  pend: Pending[],
  opts: ApplyOptions,
  held: ReadonlySet<number>,
  differ: Differ,
): void {
  const pending = (): boolean => lands.some((l) => !l);
  if (!pending()) return; // every hunk landed exactly: no whitespace index to build
  const ws = new LineIndex(lines, wsKey);
  const reExact = (): void => {
    const again = exactPass(input, lines, found, lands, differ);
    again.lands.forEach((l, i) => {
      if (l && !lands[i]) lands[i] = l;
      if (!lands[i] && !sticky(pend[i]!.reason)) pend[i] = again.pend[i]!;
    });
  };
  let map: ((i: number) => number | null) | null = null;
  const agrees = input.base == null ? null : (h: Hunk, L: Landing): boolean => baseAgrees(h, L, (map ??= baseMapper(splitLines(input.base!), lines)));
  let rounds = 0;
  let wide = false;
  while (pending() && rounds++ < MAX_ROUNDS) {
    const n = fuzzyPass(input.hunks, lines, idx, ws, lands, pend, opts, wide, agrees, held, differ);
    if (n === 0 && wide) break;
    wide = n === 0;
    if (n > 0 && pending()) reExact();
  }
}

function report(h: Hunk, i: number, L: Landing, newPos: number, sub: string): HunkReport {
  const line = L.pos - L.first;
  const offset = line - statedIndex(h);
  const status = L.kind === 'exact' ? (offset === 0 ? 'exact' : 'offset') : 'fuzzy';
  const reason =
    L.kind === 'exact' ? (offset === 0 ? sub : sub || 'offset')
    : L.kind === 'fuzz' ? `fuzz ${L.fuzz}`
    : `fuzzy: ${L.kind}`;
  return { hunk: i + 1, status, statedLine: h.oldStart, line: line + 1, newLine: newPos + 1, offset, fuzz: L.fuzz, similarity: L.similarity, reason };
}

export function runCascade(input: CascadeInput, opts: ApplyOptions = {}): CascadeResult {
  const { text } = input;
  // CR-insensitive matching only for a file that is CRLF throughout: in a mixed file,
  // "if x:\r\n" and "if x:\n" are different lines, and treating them as equal can make
  // a second copy of a pre-image look like the only one (found by the property tests).
  const fileCrlf = text.includes('\r\n') && !/(^|[^\r])\n/.test(text);
  // A patch turned CRLF on the way (every line: a mail client) meant LF lines: into a file
  // that is not CRLF throughout, its lines go without the CRs, as GNU patch strips them
  // ("Stripping trailing CRs from patch"), not as "x\r\n" among the file's "y\n".
  if (input.crlfTransport && !fileCrlf) input = { ...input, hunks: input.hunks.map(withoutCr) };
  const { hunks } = input;
  const patchCrlf = hunks.some((h) => h.lines.some((l) => l.text.endsWith('\r\n')));
  const crlf = (fileCrlf && !patchCrlf) || input.crlfTransport === true;
  const key = crlf ? crlfKey : rawKey;
  const fix = fileCrlf && !patchCrlf;

  if ((input.base != null && input.base === text) || blobIdMatches(input.oldId, text, opts.blobId)) {
    // Every hunk must sit at its stated line, so no line past the end of the last hunk's
    // old side is looked at: only those are split (a changelog that each patch of a series
    // edits at its top is not split whole every time); splice copies the rest as is.
    const head = splitLines(text, hunks.reduce((n, h) => Math.max(n, statedIndex(h) + oldSide(h).length), 0));
    const at = landAtStated(hunks, new LineIndex(head, key));
    // The text is the very file the patch was made from: its bytes are the patch's, and an
    // LF insertion (-U0, no line matched) into a file CRLF elsewhere stays LF, as it was.
    if (at) return finish(hunks, head, at, [], false, text);
  }
  const lines = splitLines(text);
  const idx = new LineIndex(lines, key);
  // The base is evidence only if it IS the patch's pre-image (every hunk fits it at its
  // stated line); a stale base would map stated lines to meaningless places.
  const fits = input.base != null && landAtStated(hunks, new LineIndex(splitLines(input.base), rawKey)) !== null;
  const ex = { ...input, base: fits ? input.base : null };
  const found = hunks.map((h) => findExact(idx, oldSide(h)));
  const differ: Differ = (h, q, from, to) => differingAt(idx, h, q, from, to, opts.fuzz ?? 2);
  const { lands, pend } = exactPass(ex, lines, found, null, differ);
  let conflictText: string | null = null;
  let refused: PatchMerge['refused'] = [];
  let markers: PatchMerge['markers'] = [];
  if (lands.some((l) => !l) && input.base != null && opts.merge !== 'none') {
    const m = mergePatch(text, input.base, hunks, opts);
    if (m?.clean) return merged(input, lines, lands, m.text, m.touching ?? []);
    if (m) [conflictText, refused, markers] = [m.text, m.refused ?? [], m.markers ?? []];
  }
  // A hunk whose place the 3-way step found is not in the texts lands by no weaker step.
  const held = new Set(refused.filter((x) => placeAmbiguous(x.why)).map((x) => x.hunk));
  settle(ex, lines, idx, found, lands, pend, opts, held, differ);
  const res = finish(hunks, lines, lands, pend, fix, text);
  for (const x of refused) {
    const r = res.hunks[x.hunk];
    if (r?.status === 'failed') r.reason += `; 3-way: ${x.why}`;
  }
  if (conflictText !== null && opts.keepConflicts && lands.some((l) => !l)) {
    // The text written is the merge's, not the splice's: a failed hunk names its markers
    // (not a candidate place, which may be an upstream copy of its context), and a landed
    // one where its new side is in that text.
    const out = new LineIndex(splitLines(conflictText), key);
    let shift = 0;
    res.hunks = res.hunks.map((r, i) => {
      const mk = markers[i];
      if (r.status === 'failed') return { ...r, reason: 'conflict', ...(mk ? { markers: mk } : {}) };
      const newSide = hunks[i]!.lines.filter((l) => l.op !== '-').map((l) => l.text);
      const guess = r.newLine! - 1 + shift;
      const at = newSide.length ? nearestFirst(findExact(out, newSide), guess)[0] : undefined;
      if (at === undefined) return r;
      shift = at - (r.newLine! - 1);
      return { ...r, newLine: at + 1 };
    });
    return { ...res, text: conflictText, conflict: true };
  }
  return res;
}

/** A hunk with its lines' trailing CR taken off ("x\r\n" -> "x\n"; "x\r" before a no-newline marker -> "x"). */
const withoutCr = (h: Hunk): Hunk => ({ ...h, lines: h.lines.map((l) => ({ ...l, text: l.text.replace(/\r(\n?)$/, '$1') })) });

/**
 * Splice the landings; failed hunks report GNU's "FAILED at" position through `offset`.
 * `lines` is `src` split, or its first lines when no landing reaches past them.
 */
function finish(
  hunks: readonly Hunk[],
  lines: readonly string[],
  lands: ReadonlyArray<Landing | null>,
  pend: readonly Pending[],
  fix: boolean,
  src?: string,
): CascadeResult {
  const { text, newPos } = splice(lines, hunks, lands, fix, src);
  // GNU prints a failed hunk at stated + out_offset: the last landed hunk's offset plus
  // the lines earlier landed hunks added (e.g. "FAILED at 23" for stated 22 after +1 line).
  let outOff = 0;
  let grown = 0;
  const reports = hunks.map((h, i): HunkReport => {
    const L = lands[i];
    if (L) {
      const r = report(h, i, L, newPos[i]!, '');
      outOff = r.offset;
      grown += h.newCount - h.oldCount;
      return r;
    }
    const p = pend[i] ?? { best: null, reason: 'no match' };
    return {
      hunk: i + 1, status: 'failed', statedLine: h.oldStart, line: p.best === null ? null : p.best + 1,
      newLine: null, offset: outOff + grown, fuzz: 0, similarity: 0, reason: p.reason,
    };
  });
  return { text, hunks: reports, conflict: false };
}

/** A clean 3-way merge: pending hunks are `merged`, found by their new side in the result. */
function merged(input: CascadeInput, lines: readonly string[], lands: ReadonlyArray<Landing | null>, text: string, touching: readonly number[]): CascadeResult {
  const out = splitLines(text);
  const idx = new LineIndex(out, crlfKey);
  const map = baseMapper(splitLines(input.base!), lines);
  let shift = 0;
  const reports = input.hunks.map((h, i): HunkReport => {
    const newSide = h.lines.filter((l) => l.op !== '-').map((l) => l.text);
    const guess = (h.newCount > 0 ? h.newStart - 1 : h.newStart) + shift;
    // The whole new side, else just its added lines (the context may be upstream's now).
    const added = h.lines.filter((l) => l.op === '+').map((l) => l.text);
    const firstAdd = h.lines.filter((l) => l.op !== '-').findIndex((l) => l.op === '+');
    let found: number | undefined = newSide.length ? nearestFirst(findExact(idx, newSide), guess)[0] : guess;
    if (found === undefined && added.length) {
      const at = nearestFirst(findExact(idx, added), guess + firstAdd)[0];
      found = at === undefined ? undefined : at - firstAdd;
    }
    const newPos = found ?? guess;
    shift = newPos - (h.newCount > 0 ? h.newStart - 1 : h.newStart);
    const L = lands[i];
    if (L) return report(h, i, L, newPos, '');
    const m = map(statedIndex(h));
    const line = m ?? newPos;
    return {
      hunk: i + 1, status: 'merged', statedLine: h.oldStart, line: line + 1, newLine: newPos + 1,
      offset: line - statedIndex(h), fuzz: 0, similarity: 1, reason: touching.includes(i) ? TOUCHING : '3-way merge with the base',
    };
  });
  return { text, hunks: reports, conflict: false };
}
