/**
 * Unified diff of two byte strings, accepted by GNU `patch -p1` and `git apply`.
 *   makeFileDiff("a\nb\n", "a\nB\n", { oldPath: "f", newPath: "f", style: "git" }) ->
 *     diff --git a/f b/f / index 4227ca4..1c42e4a 100644 / --- a/f / +++ b/f /
 *     @@ -1,2 +1,2 @@ / a / -b / +B
 * Lines are compared WITH their terminators, so "x\r\n" vs "x\n" and a last line
 * without newline are real differences, written byte-exact (`\ No newline at end of file`).
 * The edit script comes from jsdiff's diffArrays (Myers, minimal; patience anchors split
 * very large ranges first, see MYERS_MAX); within each change
 * run the removals come before the additions, as diff(1) writes them. Hunks whose
 * contexts touch or overlap (gap <= 2 x context) are merged into one.
 */
import { diffArrays } from 'diff';
import { gitBlobId } from './git-hash.js';
import { encodePath, splitLines, stripEol } from './lines.js';
import { formatHunk } from './report.js';
import { formatContextHunk } from './context-format.js';
import type { Hunk, HunkLine } from './types.js';

export interface DiffOptions {
  oldPath: string;
  newPath: string;
  /** Context lines; default 3. */
  context?: number;
  style: 'git' | 'quilt';
  /** Override the ---/+++ names (quilt: "dir.orig/file" and "dir/file"). */
  oldLabel?: string;
  newLabel?: string;
  /** Appended after a TAB when given (quilt timestamps). */
  oldTime?: string;
  newTime?: string;
  /** quilt: "Index: <newLabel>" + 67 '='; git: "diff --git" + "index" lines. Default: git yes, quilt no. */
  indexLine?: boolean;
  oldMode?: string;
  newMode?: string;
  /** `@@ ... @@ name` like diff -p: the last line before the hunk starting with a letter, _ or $. */
  showFunction?: boolean;
  /** `context`: diff -c's format (`***`/`---` headers, `!` lines), as quilt's refresh -c writes. */
  format?: 'unified' | 'context';
}

interface Edit extends HunkLine {
  /** Old lines before this edit, new lines before this edit. */
  o: number;
  n: number;
}

type Op = ' ' | '-' | '+';

/**
 * Myers (jsdiff diffArrays, minimal) for ranges up to this many lines; above it, split
 * the range on patience anchors first. Myers is O((N+M)·D): a 100k-line file with 20k
 * changed lines would take ~40 s, while anchoring on lines unique to both sides (and
 * their longest increasing run) cuts it into small independent ranges.
 */
const MYERS_MAX = 4000;

function myers(a: readonly string[], b: readonly string[], ops: Array<[Op, string]>): void {
  for (const c of diffArrays(a as string[], b as string[])) {
    const op: Op = c.removed ? '-' : c.added ? '+' : ' ';
    for (const t of c.value) ops.push([op, t]);
  }
}

/** Patience anchors: [ai, bi] pairs of lines occurring once in each side, increasing in both. */
function anchors(a: readonly string[], b: readonly string[]): Array<[number, number]> {
  const count = new Map<string, [number, number, number]>();
  a.forEach((l, i) => {
    const c = count.get(l) ?? [0, 0, -1];
    c[0]++;
    c[2] = i;
    count.set(l, c);
  });
  const pairs: Array<[number, number]> = [];
  const bCount = new Map<string, number>();
  for (const l of b) bCount.set(l, (bCount.get(l) ?? 0) + 1);
  b.forEach((l, j) => {
    const c = count.get(l);
    if (c && c[0] === 1 && bCount.get(l) === 1) pairs.push([c[2], j]);
  });
  pairs.sort((x, y) => x[0] - y[0]);
  // Longest increasing subsequence on the b index (patience sorting, O(n log n)).
  const tails: number[] = [];
  const prev: number[] = [];
  pairs.forEach(([, j], k) => {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pairs[tails[mid]!]![1] < j) lo = mid + 1;
      else hi = mid;
    }
    prev[k] = lo > 0 ? tails[lo - 1]! : -1;
    tails[lo] = k;
  });
  const out: Array<[number, number]> = [];
  for (let k = tails.length ? tails[tails.length - 1]! : -1; k >= 0; k = prev[k]!) out.push(pairs[k]!);
  return out.reverse();
}

function diffRange(a: readonly string[], b: readonly string[], ops: Array<[Op, string]>): void {
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) ops.push([' ', a[pre++]!]);
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const A = a.slice(pre, a.length - suf);
  const B = b.slice(pre, b.length - suf);
  const anch = A.length + B.length > MYERS_MAX ? anchors(A, B) : [];
  if (anch.length === 0) myers(A, B, ops);
  else {
    let i = 0;
    let j = 0;
    for (const [ai, bj] of anch) {
      diffRange(A.slice(i, ai), B.slice(j, bj), ops);
      ops.push([' ', A[ai]!]);
      i = ai + 1;
      j = bj + 1;
    }
    diffRange(A.slice(i), B.slice(j), ops);
  }
  for (let k = a.length - suf; k < a.length; k++) ops.push([' ', a[k]!]);
}

/** The line edit script of a -> b (' ' kept, '-' removed, '+' added), fast on big files. */
export function lineOps(a: readonly string[], b: readonly string[]): Op[] {
  const ops: Array<[Op, string]> = [];
  diffRange(a, b, ops);
  return ops.map((o) => o[0]);
}

function editScript(a: string[], b: string[]): Edit[] {
  const ops: Array<[Op, string]> = [];
  diffRange(a, b, ops);
  const out: Edit[] = [];
  let o = 0;
  let n = 0;
  let dels: string[] = [];
  let adds: string[] = [];
  const flush = (): void => {
    for (const t of dels) out.push({ op: '-', text: t, o: o++, n });
    for (const t of adds) out.push({ op: '+', text: t, o, n: n++ });
    dels = [];
    adds = [];
  };
  for (const [op, t] of ops) {
    if (op === '-') dels.push(t);
    else if (op === '+') adds.push(t);
    else {
      flush();
      out.push({ op: ' ', text: t, o: o++, n: n++ });
    }
  }
  flush();
  return out;
}

function funcName(a: readonly string[], before: number): string {
  for (let i = before - 1; i >= 0; i--) {
    if (/^[A-Za-z_$]/.test(a[i]!)) return stripEol(a[i]!).slice(0, 40).trimEnd();
  }
  return '';
}

/** Group the edit script into hunks with `ctx` lines of context. */
export function diffHunks(oldText: string, newText: string, ctx = 3, showFunction = false): Hunk[] {
  const a = splitLines(oldText);
  const edits = editScript(a, splitLines(newText));
  const changed = edits.flatMap((e, i) => (e.op === ' ' ? [] : [i]));
  const hunks: Hunk[] = [];
  let i = 0;
  while (i < changed.length) {
    const first = changed[i]!;
    let last = first;
    while (i + 1 < changed.length && changed[i + 1]! - last <= 2 * ctx + 1) last = changed[++i]!;
    i++;
    const from = Math.max(0, first - ctx);
    const to = Math.min(edits.length, last + ctx + 1);
    const body = edits.slice(from, to);
    const oldCount = body.filter((e) => e.op !== '+').length;
    const newCount = body.filter((e) => e.op !== '-').length;
    const o0 = body[0]!.o;
    const n0 = body[0]!.n;
    hunks.push({
      oldStart: oldCount ? o0 + 1 : o0,
      oldCount,
      newStart: newCount ? n0 + 1 : n0,
      newCount,
      section: showFunction ? funcName(a, o0) : '',
      lines: body.map((e) => ({ op: e.op, text: e.text })),
      patchLine: 0,
    });
  }
  return hunks;
}

/** Share of unchanged lines, in percent (git measures bytes; this is the line analogue). */
function renameSimilarity(a: string, b: string): number {
  const e = editScript(splitLines(a), splitLines(b));
  const total = e.length + e.filter((x) => x.op === ' ').length;
  return total === 0 ? 100 : Math.floor((200 * e.filter((x) => x.op === ' ').length) / total);
}

const abbrev = (t: string | null): string => (t === null ? '0000000' : gitBlobId(t).slice(0, 7));

function gitHeader(oldText: string | null, newText: string | null, o: DiffOptions, sameText: boolean): string {
  let h = `diff --git a/${o.oldPath} b/${o.newPath}\n`;
  const mode = o.newMode ?? o.oldMode ?? '100644';
  if (oldText === null) h += `new file mode ${o.newMode ?? '100644'}\n`;
  else if (newText === null) h += `deleted file mode ${o.oldMode ?? '100644'}\n`;
  else if (o.oldMode && o.newMode && o.oldMode !== o.newMode) h += `old mode ${o.oldMode}\nnew mode ${o.newMode}\n`;
  if (oldText !== null && newText !== null && o.oldPath !== o.newPath) {
    h += `similarity index ${renameSimilarity(oldText, newText)}%\nrename from ${o.oldPath}\nrename to ${o.newPath}\n`;
  }
  if (sameText) return h;
  const modeChanged = oldText !== null && newText !== null && o.oldMode && o.newMode && o.oldMode !== o.newMode;
  const tail = oldText !== null && newText !== null && !modeChanged ? ` ${mode}` : '';
  return h + `index ${abbrev(oldText)}..${abbrev(newText)}${tail}\n`;
}

export function makeFileDiff(oldText: string | null, newText: string | null, opts: DiffOptions): string {
  // Names arrive as the fs gives them; the patch is a byte string, so they go in as UTF-8 bytes.
  opts = {
    ...opts,
    oldPath: encodePath(opts.oldPath),
    newPath: encodePath(opts.newPath),
    ...(opts.oldLabel !== undefined ? { oldLabel: encodePath(opts.oldLabel) } : {}),
    ...(opts.newLabel !== undefined ? { newLabel: encodePath(opts.newLabel) } : {}),
  };
  const git = opts.style === 'git';
  // Only git's headers carry a mode; in quilt's format a mode alone is no change (as quilt's diff).
  const modeChange = git && !!(opts.oldMode && opts.newMode && opts.oldMode !== opts.newMode);
  const sameText = oldText === newText;
  if (sameText && !modeChange) return '';
  const withIndex = opts.indexLine ?? git;
  let out = '';
  if (withIndex) {
    out += git
      ? gitHeader(oldText, newText, opts, sameText)
      : `Index: ${opts.newLabel ?? opts.newPath}\n${'='.repeat(67)}\n`;
  }
  if (sameText) return out;
  const time = (t?: string): string => (t ? `\t${t}` : '');
  const oldName = oldText === null ? '/dev/null' : (opts.oldLabel ?? (git ? `a/${opts.oldPath}` : opts.oldPath));
  const newName = newText === null ? '/dev/null' : (opts.newLabel ?? (git ? `b/${opts.newPath}` : opts.newPath));
  const hunks = diffHunks(oldText ?? '', newText ?? '', opts.context ?? 3, opts.showFunction);
  if (opts.format === 'context') {
    out += `*** ${oldName}${time(opts.oldTime)}\n--- ${newName}${time(opts.newTime)}\n`;
    return out + hunks.map(formatContextHunk).join('');
  }
  out += `--- ${oldName}${time(opts.oldTime)}\n+++ ${newName}${time(opts.newTime)}\n`;
  return out + hunks.map(formatHunk).join('');
}
