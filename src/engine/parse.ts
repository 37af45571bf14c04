/**
 * parsePatch: the file layer of unified diffs, owned here; hunk bodies go through the
 * parse-diff adapter.
 *
 * Why we own the file layer. parse-diff, measured, silently misreads: copies (as renames),
 * `Binary files ... differ` and `GIT binary patch` (as no-ops), git's C-quoted names, -p0
 * paths such as `c/main.c` (its own a/ b/ guess), names containing " b/", CRLF patch
 * files, `\ No newline` (a fake change), truncated hunks (accepted), a description line
 * starting with "diff " (an empty file) and `diff -ruN` creations/deletions (not flagged).
 *
 * Reading order, per file:
 *   [Index: name / =====]                 quilt
 *   [diff --git a/x b/y + extended hdrs]  git: modes, index, rename/copy, similarity, binary
 *   [diff -ruN a/x b/x]                   diff -r (ignored; the ---/+++ names count)
 *   --- old[\tstamp]  /  +++ new[\tstamp]
 *   @@ -a,b +c,d @@ section  + body        counts validated line by line
 * The description (header) is everything above the first line matching quilt's rule
 * `^(---|\*\*\*|Index:)[ \t][^ \t]|^diff -`, checked against what follows so that
 * "diff -u is what I used" in a description does not start the body.
 */
import { parseGitBinary } from './binary.js';
import { PatchqError } from './errors.js';
import { isEpochStamp, splitGitNames, splitNameAndStamp, unquoteGitPath } from './git-headers.js';
import { decodePath, splitLines, stripEol } from './lines.js';
import { hunksFromSpans, type HunkSpan } from './parse-diff-adapter.js';
import { normalizeTreePath, printable, stripPath } from './paths.js';
import type { BinaryPatch, FilePatch, Hunk, HunkLine, ParsedPatch, ParseOptions } from './types.js';

/** A file as written, before -p stripping. Names are byte strings. */
interface RawFile {
  patchLine: number;
  git: boolean;
  gitNames?: [string, string];
  oldName?: string;
  newName?: string;
  oldStamp: string | null;
  newStamp: string | null;
  renameFrom?: string;
  renameTo?: string;
  copyFrom?: string;
  copyTo?: string;
  created: boolean;
  deleted: boolean;
  oldMode?: string;
  newMode?: string;
  index?: { oldId: string; newId: string };
  similarity?: number;
  binary?: BinaryPatch;
  spans: HunkSpan[];
  /** Hunks of a context diff (`diff -c`), read here directly: parse-diff knows unified only. */
  contextHunks?: Hunk[];
}

const GIT_EXT = /^(old mode|new mode|deleted file mode|new file mode|similarity index|dissimilarity index|rename from|rename to|rename old|rename new|copy from|copy to|index [0-9a-f]+\.\.[0-9a-f]+|Binary files |GIT binary patch)/;
const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$/;

export function parsePatch(text: string, opts: ParseOptions = {}): ParsedPatch {
  const fileName = opts.fileName ?? '<patch>';
  const lines = splitLines(text);
  const view = lines.map(stripEol);
  const crlfTransport = lines.length > 0 && lines.every((l, i) => l.endsWith('\r\n') || (i === lines.length - 1 && !l.endsWith('\n')));
  refuseCompressed(text, fileName);
  const start = findBodyStart(view);
  refuseStrayHunks(view, start < 0 ? view.length : start, fileName);
  if (start < 0) {
    refuseNonUnified(view, fileName);
    refuseBinary(view, fileName);
    return { header: text, files: [], crlfTransport };
  }
  const raws = scanFiles(lines, view, start, fileName);
  const strip = opts.strip ?? detectStrip(raws, opts.exists);
  const offsets = lineOffsets(lines);
  const files = raws.map((r) => toFilePatch(r, text, offsets, lines, strip, fileName, opts.exists));
  return { header: lines.slice(0, start).join(''), files, crlfTransport };
}

/** Where each line starts in the text, and one more entry: the text's length. */
function lineOffsets(lines: readonly string[]): number[] {
  const out = new Array<number>(lines.length + 1);
  let at = 0;
  for (let i = 0; i < lines.length; i++) {
    out[i] = at;
    at += lines[i]!.length;
  }
  out[lines.length] = at;
  return out;
}

/** quilt's body-start rule, with a look at the next lines so prose does not count. */
export function findBodyStart(view: readonly string[]): number {
  for (let i = 0; i < view.length; i++) {
    const l = view[i]!;
    const next = view[i + 1] ?? '';
    if (l.startsWith('diff --git ')) return i;
    if (l.startsWith('diff -') && (next.startsWith('--- ') || GIT_EXT.test(next))) return i;
    if (/^---[ \t][^ \t]/.test(l) && next.startsWith('+++ ')) return i;
    if (/^\*\*\*[ \t][^ \t]/.test(l) && next.startsWith('--- ')) return i;
    if (/^Index:[ \t][^ \t]/.test(l) && view.slice(i + 1, i + 4).some((n) => n.startsWith('--- ') || n.startsWith('diff '))) return i;
  }
  return -1;
}

/**
 * A hunk before any file header (its `---`/`+++` lines lost, or only a `+++` line) would
 * otherwise be taken for description text, and the patch would push as empty: the change
 * silently dropped. GNU patch and git apply refuse such input too ("Only garbage was
 * found", "patch fragment without header").
 */
function refuseStrayHunks(view: readonly string[], end: number, fileName: string): void {
  for (let i = 0; i < end; i++) {
    const l = view[i]!;
    const unified = l.startsWith('@@ -') && HUNK_HEADER.test(l) && /^[-+ \\]/.test(view[i + 1] ?? '');
    const context = l === '***************' && /^\*\*\* \d+(,\d+)? \*\*\*\*/.test(view[i + 1] ?? '');
    if (unified || context) {
      throw new PatchqError('E_PATCH_PARSE', `hunk without a file header before it (its '---' and '+++' lines are missing)`, { file: fileName, line: i + 1 });
    }
  }
}

/**
 * A compressed patch under a plain name: its bytes are no patch, even where they hold the
 * diff's lines as they were (xz stores a small input as it is, around its own header).
 */
function refuseCompressed(text: string, fileName: string): void {
  const packed = MAGIC.find(([magic]) => magic.test(text));
  if (packed) throw new PatchqError('E_PATCH_PARSE', `${packed[1]} data, not patch text: a compressed patch needs a name ending in ${packed[2]}`, { file: fileName, line: 1 });
}

/** Bytes that are no text (an image) hold no diff, but no description either: refused, not pushed as an empty patch. */
function refuseBinary(view: readonly string[], fileName: string): void {
  const at = view.findIndex((l) => l.includes('\0'));
  if (at >= 0) throw new PatchqError('E_PATCH_PARSE', 'binary data, not patch text (a NUL byte on this line)', { file: fileName, line: at + 1 });
}
const MAGIC: ReadonlyArray<readonly [RegExp, string, string]> = [
  [/^\x1f\x8b/, 'gzip', '.gz'],
  [/^BZh[1-9]1AY&SY/, 'bzip2', '.bz2'],
  [/^\xfd7zXZ\0/, 'xz', '.xz'],
  [/^LZIP\x01/, 'lzip', '.lz'],
];

/** Normal diffs ("2,3c2,3" + "< x") and ed scripts ("5c" ... ".") are refused, never run. */
function refuseNonUnified(view: readonly string[], fileName: string): void {
  for (let i = 0; i < view.length; i++) {
    const l = view[i]!;
    const normal = /^\d+(,\d+)?[acd]\d+(,\d+)?$/.test(l) && /^[<>] /.test(view[i + 1] ?? '');
    const ed = /^\d+(,\d+)?[acd]$/.test(l) && view.slice(i + 1).includes('.');
    if (normal || ed) {
      throw new PatchqError(
        'E_PATCH_UNSUPPORTED',
        `${normal ? 'normal' : 'ed-script'} diffs are not supported (they are never executed); regenerate the patch with 'diff -u' or 'git diff'`,
        { file: fileName, line: i + 1 },
      );
    }
  }
}

function newRaw(i: number, git: boolean): RawFile {
  return { patchLine: i + 1, git, oldStamp: null, newStamp: null, created: false, deleted: false, spans: [] };
}

function scanFiles(lines: string[], view: string[], start: number, fileName: string): RawFile[] {
  const files: RawFile[] = [];
  const err = (code: 'E_PATCH_PARSE' | 'E_PATCH_COUNTS' | 'E_PATCH_UNSUPPORTED', msg: string, i: number): never => {
    throw new PatchqError(code, msg, { file: fileName, line: i + 1 });
  };
  let i = start;
  while (i < view.length) {
    const l = view[i]!;
    if (l.startsWith('diff --git ')) {
      const f = newRaw(i, true);
      f.gitNames = splitGitNames(l.slice(11)) ?? undefined;
      i = readGitExtended(lines, view, i + 1, f, fileName);
      if (view[i]?.startsWith('--- ')) i = readNames(view, i, f, err);
      i = readHunks(lines, view, i, f, err);
      const changes = f.spans.length > 0 || f.binary || f.created || f.deleted || f.renameFrom !== undefined || f.copyFrom !== undefined || f.oldMode !== f.newMode;
      if (!changes) err('E_PATCH_PARSE', "'diff --git' header with no change under it (no hunk, mode, rename or copy lines)", f.patchLine - 1);
      files.push(f);
    } else if (l.startsWith('--- ') && view[i + 1]?.startsWith('+++ ')) {
      const f = newRaw(i, false);
      i = readHunks(lines, view, readNames(view, i, f, err), f, err);
      files.push(f);
    } else if (/^Binary files (.+) and (.+) differ$/.test(l)) {
      const m = /^Binary files (.+) and (.+) differ$/.exec(l)!;
      const f = newRaw(i, false);
      [f.oldName, f.newName] = [m[1]!, m[2]!];
      f.binary = { hasData: false };
      files.push(f);
      i++;
    } else if (l.startsWith('*** ') && view[i + 1]?.startsWith('--- ')) {
      const f = newRaw(i, false);
      const old = splitNameAndStamp(l.slice(4));
      const neu = splitNameAndStamp(view[i + 1]!.slice(4));
      [f.oldName, f.oldStamp, f.newName, f.newStamp] = [old.name, old.stamp, neu.name, neu.stamp];
      i = readContextHunks(lines, view, i + 2, f, err);
      files.push(f);
    } else if (l.startsWith('@@ ')) {
      err('E_PATCH_PARSE', 'hunk header outside of any file (missing ---/+++ lines?)', i);
    } else if (/^---[ \t][^ \t]/.test(l)) {
      err('E_PATCH_PARSE', "'---' file header not followed by a '+++' line", i);
    } else {
      i++; // Index:/=== lines, `diff -ruN` lines, "Only in", signatures, blank lines
    }
  }
  return files;
}

function readGitExtended(lines: string[], view: string[], i: number, f: RawFile, fileName: string): number {
  for (; i < view.length; i++) {
    const l = view[i]!;
    let m: RegExpExecArray | null;
    if ((m = /^old mode (\d+)$/.exec(l))) f.oldMode = m[1];
    else if ((m = /^new mode (\d+)$/.exec(l))) f.newMode = m[1];
    else if ((m = /^deleted file mode (\d+)$/.exec(l))) [f.deleted, f.oldMode] = [true, m[1]];
    else if ((m = /^new file mode (\d+)$/.exec(l))) [f.created, f.newMode] = [true, m[1]];
    // git apply reads an index past 100 as 0.
    else if ((m = /^(?:dis)?similarity index (\d+)%$/.exec(l))) f.similarity = Number(m[1]) > 100 ? 0 : Number(m[1]);
    else if ((m = /^rename (?:from|old) (.+)$/.exec(l))) f.renameFrom = unquoteGitPath(m[1]!);
    else if ((m = /^rename (?:to|new) (.+)$/.exec(l))) f.renameTo = unquoteGitPath(m[1]!);
    else if ((m = /^copy from (.+)$/.exec(l))) f.copyFrom = unquoteGitPath(m[1]!);
    else if ((m = /^copy to (.+)$/.exec(l))) f.copyTo = unquoteGitPath(m[1]!);
    else if ((m = /^index ([0-9a-f]+)\.\.([0-9a-f]+)(?: (\d+))?$/.exec(l))) {
      f.index = { oldId: m[1]!, newId: m[2]! };
      if (m[3]) f.oldMode = f.newMode = m[3];
    } else if (/^Binary files .* differ$/.test(l)) f.binary = { hasData: false };
    else if (l === 'GIT binary patch') {
      const parsed = parseGitBinary(lines, i + 1, { file: fileName, line: i + 2 });
      f.binary = parsed.binary;
      return parsed.next;
    } else return i;
  }
  return i;
}

type Fail = (code: 'E_PATCH_PARSE' | 'E_PATCH_COUNTS', msg: string, i: number) => never;

function readNames(view: string[], i: number, f: RawFile, err: Fail): number {
  if (!view[i + 1]?.startsWith('+++ ')) err('E_PATCH_PARSE', "'---' file header not followed by a '+++' line", i);
  const old = splitNameAndStamp(view[i]!.slice(4));
  const neu = splitNameAndStamp(view[i + 1]!.slice(4));
  [f.oldName, f.oldStamp, f.newName, f.newStamp] = [old.name, old.stamp, neu.name, neu.stamp];
  return i + 2;
}

/**
 * The hunks of one file of a context diff (`diff -c`, quilt's `refresh -c`):
 *   ***************            a hunk
 *   *** 4,6 ****               old lines 4-6: "  " context, "- " removed, "! " changed
 *   --- 4,7 ----               new lines 4-7: "  " context, "+ " added, "! " changed
 * A side with nothing but context may be left out (its lines are the other side's
 * context). Turned into the unified model: context, then each run of old lines as
 * removals followed by the matching run of new lines as additions.
 */
function readContextHunks(lines: string[], view: string[], i: number, f: RawFile, err: Fail): number {
  const RANGE_OLD = /^\*\*\* (\d+)(?:,(\d+))? \*\*\*\*\s*$/;
  const RANGE_NEW = /^--- (\d+)(?:,(\d+))? ----\s*$/;
  type Mark = { mark: string; text: string };
  const section = (prefixes: string): Mark[] => {
    const out: Mark[] = [];
    while (i < view.length) {
      const v = view[i]!;
      if (v.startsWith('\\') && out.length) {
        const prev = out[out.length - 1]!;
        prev.text = prev.text.replace(/\r?\n$/, (m) => (m === '\r\n' ? '\r' : ''));
      } else if (v.length >= 2 && prefixes.includes(v[0]!) && v[1] === ' ' && !RANGE_NEW.test(v)) {
        out.push({ mark: v[0]!, text: lines[i]!.slice(2) });
      } else break;
      i++;
    }
    return out;
  };
  const countOf = (m: RegExpExecArray, n: number, at: number): number => {
    const a = Number(m[1]);
    const want = m[2] === undefined ? (a === 0 ? 0 : 1) : Number(m[2]) - a + 1;
    // A single number may stand for an empty side ("*** 5 ****" before an insertion).
    if (n !== want && !(m[2] === undefined && n === 0)) err('E_PATCH_COUNTS', `context hunk side has ${n} lines, its range says ${want}`, at);
    return n;
  };
  // As for a unified hunk (readHunks): a number past 2^31 is a broken header (and one of
  // 400 digits would be Infinity).
  const tooLarge = (m: RegExpExecArray, at: number): void => {
    for (const digits of [m[1], m[2]]) {
      if (digits !== undefined && Number(digits) > 0x7fffffff) err('E_PATCH_PARSE', `line number ${digits} is too large in hunk header`, at);
    }
  };
  const hunks: Hunk[] = [];
  while (i < view.length && view[i]!.startsWith('***************')) {
    const at = i;
    const section0 = view[i]!.slice(15).trim();
    i++;
    const mo = RANGE_OLD.exec(view[i] ?? '');
    if (!mo) err('E_PATCH_PARSE', `context hunk without its '*** N,M ****' line`, i);
    tooLarge(mo!, i);
    const oldAt = i++;
    let olds = section(' -!');
    const mn = RANGE_NEW.exec(view[i] ?? '');
    if (!mn) err('E_PATCH_PARSE', `context hunk without its '--- N,M ----' line`, i);
    tooLarge(mn!, i);
    const newAt = i++;
    let news = section(' +!');
    if (olds.length === 0) olds = news.filter((x) => x.mark === ' ');
    if (news.length === 0) news = olds.filter((x) => x.mark === ' ');
    const out: HunkLine[] = [];
    let a = 0;
    let b = 0;
    while (a < olds.length || b < news.length) {
      if (olds[a]?.mark === ' ' && news[b]?.mark === ' ') {
        out.push({ op: ' ', text: news[b]!.text });
        a++;
        b++;
        continue;
      }
      const [a0, b0] = [a, b];
      while (a < olds.length && olds[a]!.mark !== ' ') out.push({ op: '-', text: olds[a++]!.text });
      while (b < news.length && news[b]!.mark !== ' ') out.push({ op: '+', text: news[b++]!.text });
      if (a === a0 && b === b0) err('E_PATCH_PARSE', 'the two sides of this context hunk do not line up', at);
    }
    const oldCount = countOf(mo!, out.filter((x) => x.op !== '+').length, oldAt);
    const newCount = countOf(mn!, out.filter((x) => x.op !== '-').length, newAt);
    const oldStart = Number(mo![1]);
    const prev = hunks[hunks.length - 1];
    if (prev && oldStart < prev.oldStart + prev.oldCount) err('E_PATCH_PARSE', `misordered hunks: this hunk starts at old line ${oldStart}, inside or before the previous hunk`, at);
    hunks.push({ oldStart, oldCount, newStart: Number(mn![1]), newCount, section: section0, lines: out, patchLine: at + 1 });
  }
  if (hunks.length === 0) err('E_PATCH_PARSE', "context diff file header without a '***************' hunk", i);
  f.contextHunks = hunks;
  return i;
}

/** Find each hunk's extent, validating the body against the header counts. */
function readHunks(lines: string[], view: string[], i: number, f: RawFile, err: Fail): number {
  while (i < view.length && view[i]!.startsWith('@@')) {
    const m = HUNK_HEADER.exec(view[i]!);
    if (!m) err('E_PATCH_PARSE', `malformed hunk header '${printable(view[i]!.slice(0, 60))}'`, i);
    const span: HunkSpan = {
      start: i,
      end: i,
      oldStart: Number(m![1]),
      oldCount: m![2] === undefined ? 1 : Number(m![2]),
      newStart: Number(m![3]),
      newCount: m![4] === undefined ? 1 : Number(m![4]),
      section: m![5] ?? '',
    };
    // GNU patch: "line number ... is too large". No file has 2^31 lines; a number past it
    // (or past what a double counts exactly) is a broken header, not an offset to try.
    for (const digits of [m![1], m![2], m![3], m![4]]) {
      if (digits !== undefined && Number(digits) > 0x7fffffff) err('E_PATCH_PARSE', `line number ${digits} is too large in hunk header`, i);
    }
    let oldLeft = span.oldCount;
    let newLeft = span.newCount;
    i++;
    while (oldLeft > 0 || newLeft > 0) {
      if (i >= view.length) {
        err('E_PATCH_COUNTS', `hunk is truncated: ${oldLeft} old and ${newLeft} new lines missing (header at line ${span.start + 1})`, i - 1);
      }
      const c = lines[i]![0];
      if (c === ' ' || view[i] === '') [oldLeft, newLeft] = [oldLeft - 1, newLeft - 1];
      else if (c === '-') oldLeft--;
      else if (c === '+') newLeft--;
      else if (c === '\\' && (i === span.start + 1 || lines[i - 1]![0] === '\\')) {
        err('E_PATCH_PARSE', "'\\ No newline at end of file' marker without a line before it", i);
      } else if (c !== '\\') {
        err('E_PATCH_COUNTS', `hunk ends early: ${oldLeft} old and ${newLeft} new lines missing (header at line ${span.start + 1})`, i);
      }
      if (oldLeft < 0 || newLeft < 0) err('E_PATCH_COUNTS', `hunk has more lines than its header at line ${span.start + 1} says`, i);
      i++;
    }
    if (lines[i]?.startsWith('\\') && i > span.start + 1 && lines[i - 1]![0] !== '\\') i++;
    span.end = i;
    // GNU patch: "misordered hunks! output would be garbled". Hunks of one file come in
    // order and do not overlap; a patch that repeats or reorders them is refused here
    // (it would also make every later hunk search the whole file again).
    const prev = f.spans[f.spans.length - 1];
    if (prev && (span.oldStart <= prev.oldStart || span.oldStart < prev.oldStart + prev.oldCount)) {
      err('E_PATCH_PARSE', `misordered hunks: this hunk starts at old line ${span.oldStart}, inside or before the previous hunk (lines ${prev.oldStart}-${prev.oldStart + Math.max(prev.oldCount, 1) - 1})`, span.start);
    }
    f.spans.push(span);
    // A body line right after a hunk whose counts were met means the counts are wrong:
    // taking them at their word would silently drop that line. ("-- " is a mail signature.)
    const after = view[i];
    if (after !== undefined && /^[-+ ]/.test(after) && after !== '-- ' && !(after.startsWith('--- ') && view[i + 1]?.startsWith('+++ '))) {
      err('E_PATCH_COUNTS', `line is outside the hunk at line ${span.start + 1} (its header counts fewer lines than its body has)`, i);
    }
  }
  return i;
}

/** GNU-like -p detection: the first strip level whose old files all exist. */
function detectStrip(raws: RawFile[], exists?: (p: string) => boolean): number {
  if (!exists) return 1;
  const olds = raws.filter((r) => !r.created && r.oldName && r.oldName !== '/dev/null').map((r) => r.oldName!);
  if (olds.length === 0) return 1;
  for (const p of [1, 0, 2, 3, 4]) {
    if (olds.every((n) => {
      const s = stripPath(n, p);
      return s !== null && exists(decodePath(s));
    })) return p;
  }
  return 1;
}

function toFilePatch(
  r: RawFile,
  text: string,
  offsets: readonly number[],
  lines: string[],
  strip: number,
  fileName: string,
  exists?: (p: string) => boolean,
): FilePatch {
  const where = { file: fileName, line: r.patchLine };
  const clean = (name: string, doStrip: boolean): string => {
    const stripped = doStrip ? stripPath(name, strip) : name;
    if (stripped === null) {
      throw new PatchqError('E_PATCH_PARSE', `cannot strip ${strip} leading component(s) from '${printable(name)}' (wrong -p?)`, where);
    }
    return normalizeTreePath(decodePath(stripped), where);
  };
  // Symlinks (120000) and submodules (160000) would come out as regular files with mode 0.
  for (const m of [r.oldMode, r.newMode]) {
    if (m !== undefined && !/^100[0-7]{3}$/.test(m)) {
      throw new PatchqError('E_PATCH_UNSUPPORTED', `file mode ${m} is not supported (${m.startsWith('12') ? 'a symlink' : m.startsWith('16') ? 'a submodule' : 'not a regular file'}); patchq patches regular files only`, where);
    }
  }
  const isNull = (name?: string) => name === undefined || name === '/dev/null';
  // Names: git's rename/copy lines are already tree paths; ---/+++ and the diff --git
  // line carry prefixes that -p strips.
  const oldRaw = r.renameFrom ?? r.copyFrom ?? (r.oldName ?? r.gitNames?.[0]);
  const newRaw = r.renameTo ?? r.copyTo ?? (r.newName ?? r.gitNames?.[1]);
  const oldPrefixed = r.renameFrom === undefined && r.copyFrom === undefined;
  const newPrefixed = r.renameTo === undefined && r.copyTo === undefined;
  const hunkSide = (side: 'old' | 'new') => (r.contextHunks ?? r.spans).every((s) => (side === 'old' ? s.oldCount : s.newCount) === 0);
  const created = r.created || (r.oldName !== undefined && isNull(r.oldName)) || (!r.git && isEpochStamp(r.oldStamp) && hunkSide('old'));
  const deleted = r.deleted || (r.newName !== undefined && isNull(r.newName)) || (!r.git && isEpochStamp(r.newStamp) && hunkSide('new'));
  if (oldRaw === undefined && newRaw === undefined) {
    throw new PatchqError('E_PATCH_PARSE', 'cannot tell which file this diff is for', where);
  }
  let oldPath = created || isNull(oldRaw) ? null : clean(oldRaw!, oldPrefixed);
  let newPath = deleted || isNull(newRaw) ? null : clean(newRaw!, newPrefixed);
  const kind = r.renameFrom !== undefined ? 'rename' : r.copyFrom !== undefined ? 'copy' : oldPath === null ? 'create' : newPath === null ? 'delete' : 'modify';
  if (kind === 'modify' && oldPath !== newPath) {
    // quilt's "dir.orig/x" vs "dir/x" agree after -p1; for "x.orig" vs "x" (-p0) GNU patch
    // takes the name that exists, else the one with fewer components, then the shorter.
    const pick = [oldPath!, newPath!].sort((a, b) => {
      const e = Number(exists?.(b) ?? false) - Number(exists?.(a) ?? false);
      return e || a.split('/').length - b.split('/').length || a.length - b.length;
    })[0]!;
    oldPath = newPath = pick;
  }
  const hunks = r.contextHunks ?? hunksFromSpans(text, offsets, lines, r.spans, fileName);
  return {
    oldPath,
    newPath,
    rawOld: created ? null : (oldRaw ?? null),
    rawNew: deleted ? null : (newRaw ?? null),
    kind,
    ...(r.oldMode !== undefined ? { oldMode: r.oldMode } : {}),
    ...(r.newMode !== undefined ? { newMode: r.newMode } : {}),
    ...(r.index ? { index: r.index } : {}),
    git: r.git,
    ...(r.similarity !== undefined ? { similarity: r.similarity } : {}),
    ...(r.binary ? { binary: r.binary } : {}),
    hunks,
    patchLine: r.patchLine,
  };
}
