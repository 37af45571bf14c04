/**
 * refresh: regenerate a patch from its .pc originals and the working tree, in quilt's
 * format by default (QUILT.md 2.5):
 *   Index: <dir>/a.txt
 *   ===================================================================
 *   --- <dir>.orig/a.txt\t2026-11-23 15:02:00.793108616 +0000
 *   +++ <dir>/a.txt\t2026-11-23 15:02:00.912090869 +0000
 * The header (text above the first file) is kept byte for byte; `base` records the
 * upstream commit the patch was refreshed against as a `Patchq-Base:` line, so the
 * next reapply can 3-way merge even when the patch has no git index lines.
 * Files come in the order of the old patch, then new ones sorted (quilt's order).
 */
import { basename, join } from 'node:path';
import { makeFileDiff, parsePatch } from '../../engine/index.js';
import { PatchqError } from '../../engine/errors.js';
import { displayName, type Tree } from '../layout.js';
import { loadState, withLock } from '../session.js';
import { setEntry } from '../series.js';
import { backedUpFiles, backupDir, readBackup, readRecord, readText, recordOp, refreshMarker, contentId, emptyRecord } from '../state.js';
import { modeOf, readTreeFile, treePath } from '../files.js';
import { applyTransaction, type FileOp } from '../transaction.js';
import { quiltStamp } from './diff.js';
import { patchBackupOp, readPatch, writePatchOp, writeSeriesOp } from '../patchfile.js';

export interface RefreshOptions {
  name?: string;
  force?: boolean;
  /** Context lines (-U). */
  context?: number;
  /** -c / -C N: write diff -c's format (quilt reads both back). */
  contextFormat?: boolean;
  /** `@@ ... @@ def foo():` headers, as diff -p: QUILT_DIFF_OPTS's -p / --show-c-function (Debian's quiltrc sets it). */
  showFunction?: boolean;
  style?: 'quilt' | 'git';
  noTimestamps?: boolean;
  noIndex?: boolean;
  /** Upstream commit to record as `Patchq-Base:`. */
  base?: string;
  /** -p0 labels ("file.orig"/"file") instead of the series entry's level. */
  strip?: number;
  /** quilt's `-p ab`: labels a/FILE and b/FILE. */
  prefix?: 'ab';
  diffstat?: boolean;
  /** quilt's --backup: keep the previous patch file as `PATCH~`. */
  backup?: boolean;
  /** quilt's --sort: files in name order instead of the patch's own order. */
  sort?: boolean;
  /**
   * quilt's --strip-trailing-whitespace: added lines that end in spaces or tabs lose them,
   * in the working file and so in the patch.
   */
  stripWhitespace?: boolean;
}

export interface RefreshResult {
  name: string;
  changed: boolean;
  /** True when the patch has no changes at all ("Nothing in patch X"). */
  empty: boolean;
  patchText: string;
  message: string;
  /** quilt's warnings, printed before the message (added lines that end in whitespace). */
  warnings: string[];
}

export function refresh(tree: Tree, opts: RefreshOptions = {}): RefreshResult {
  return withLock(tree, () => refreshLocked(tree, opts));
}


/** Replace or add the `Patchq-Base:` line, keeping the rest of the header as it was. */
export function withBase(header: string, base: string | undefined): string {
  if (!base) return header;
  const line = `Patchq-Base: ${base}\n`;
  if (/^Patchq-Base: .*$/m.test(header)) return header.replace(/^Patchq-Base: .*\n?/m, line);
  if (header === '') return line + '\n';
  // A trailer paragraph of its own at the end of the description, blank line kept before the diff.
  const m = /\n(\n*)$/.exec(header);
  return m ? header.slice(0, m.index + 1) + '\n' + line + m[1] : header + '\n\n' + line;
}

export function refreshLocked(tree: Tree, opts: RefreshOptions = {}): RefreshResult {
  const { series, applied } = loadState(tree);
  const name = opts.name ?? applied[applied.length - 1];
  if (!name) throw new PatchqError('E_STATE', 'No patches applied');
  const shown = displayName(tree, name);
  const at = applied.indexOf(name);
  if (at < 0) throw new PatchqError('E_STATE', `Patch ${shown} is not applied`);
  const entry = series.find((e) => e.name === name)!;
  // quilt's rule for the level the series gives too (import -p2): labels are written for -p0
  // and -p1 only, and a -p2 patch written with them would no longer push. refresh -p1 it.
  const strip = opts.strip ?? entry.strip;
  if (strip > 1) throw new PatchqError('E_STATE', `Cannot refresh patches with -p${strip}, please specify -p0, -p1, or -pab instead`);
  const files = backedUpFiles(tree, name);
  // A later applied patch that touches the same file "shadows" it: its backup is our new side.
  const shadow = new Map<string, string>();
  for (const later of applied.slice(at + 1)) {
    for (const f of backedUpFiles(tree, later)) if (files.includes(f) && !shadow.has(f)) shadow.set(f, later);
  }
  if (shadow.size > 0 && !opts.force) {
    throw new PatchqError('E_STATE', `More recent patches modify files in patch ${shown}. Enforce refresh with -f.`);
  }
  const patchPath = join(tree.patchesDir, name);
  const oldText = readPatch(tree, name);
  const oldParsed = oldText === null ? null : parsePatch(oldText, { strip: entry.strip, fileName: patchPath });
  const order = [...new Set([...(oldParsed?.files.flatMap((f) => [f.oldPath, f.newPath]) ?? []).filter((p): p is string => !!p && files.includes(p)), ...files])];
  if (opts.sort) order.sort();
  const rec = readRecord(tree, name);
  const sides: FileSides[] = order.map((f) => {
    const b = readBackup(tree, name, f, rec);
    // What the file is when this patch is the top one: a later patch's backup if one shadows it.
    const later = shadow.get(f);
    const newText = later ? readBackup(tree, later, f, readRecord(tree, later)).text : readTreeFile(tree, f);
    return {
      file: f,
      old: { text: b.text, mode: b.mode, path: join(backupDir(tree, name), f) },
      new: { text: newText, mode: later ? b.mode : (modeOf(tree, f) ?? undefined), path: later ? join(backupDir(tree, later), f) : treePath(tree, f) },
    };
  });
  // quilt's new -p ab left -pab in the series for this refresh: a/ b/ labels.
  if (entry.ab && opts.strip === undefined && opts.prefix === undefined) opts = { ...opts, prefix: 'ab' };
  let { body, warnings, trailing } = diffBody(tree, sides, { ...opts, strip });
  const stripped: FileOp[] = [];
  if (opts.stripWhitespace && trailing.length > 0) {
    // What quilt's refresh does with it: the working files lose the whitespace, the patch
    // is made again from them. A shadowed file's new side is a later patch's backup, not a
    // working file: quilt says it cannot, and strips anyway; patchq refuses.
    if (shadow.size > 0) throw new PatchqError('E_STATE', `Cannot use --strip-trailing-whitespace on a patch that has shadowed files (${[...shadow.keys()].join(', ')}); nothing was changed`);
    for (const { file, lines } of trailing) {
      const side = sides.find((x) => x.file === file)!;
      side.new.text = stripLines(side.new.text!, lines);
      stripped.push({ kind: 'write', path: treePath(tree, file), data: side.new.text, mode: side.new.mode ?? side.old.mode });
    }
    ({ body } = diffBody(tree, sides, { ...opts, strip }));
    warnings = trailing.map(({ file, lines }) => `Removing trailing whitespace from ${lineList(lines)} of ${file}`);
  }
  const hashes: Record<string, string | null> = {};
  for (const x of sides) hashes[x.file] = contentId(x.new.text);
  const header = withBase(oldParsed?.header ?? '', opts.base);
  const patchText = header + body;
  const empty = body === '';
  const changed = patchText !== oldText;
  const ops: FileOp[] = [...stripped];
  // The backup is the old file itself (compressed, for a compressed patch; mode and time), as
  // quilt's mv: a link, as the write below replaces the patch.
  if (changed && opts.backup && oldText !== null) ops.push(patchBackupOp(patchPath));
  if (changed) ops.push(writePatchOp(tree, name, patchText));
  // refresh -p N makes a -pN patch, and the patch it writes is forward: the series says
  // so, as quilt writes it ("refreshing a reverse patch un-reverses it").
  if ((opts.strip !== undefined && opts.strip !== entry.strip) || entry.reverse || entry.ab) {
    const to = { reverse: false, ...(opts.strip !== undefined ? { strip: opts.strip } : {}) };
    ops.push(writeSeriesOp(tree, setEntry(readText(tree.seriesPath) ?? '', series, name, to)));
  }
  ops.push({ kind: 'delete', path: refreshMarker(tree, name) });
  ops.push({ kind: 'write', path: join(backupDir(tree, name), '.timestamp'), data: '' });
  ops.push(recordOp(tree, name, { ...emptyRecord(), emptyFiles: rec?.emptyFiles ?? [], hashes, patchHash: contentId(patchText)! }));
  applyTransaction(tree, ops);
  const message = empty ? `Nothing in patch ${shown}` : changed ? `Refreshed patch ${shown}` : `Patch ${shown} is unchanged`;
  return { name, changed, empty, patchText, message, warnings };
}

/** One file of a patch as refresh writes it: old side (the .pc original) and new side. */
export interface FileSides {
  file: string;
  old: { text: string | null; mode: number; path: string };
  new: { text: string | null; mode: number | undefined; path: string };
}

/**
 * The patch body for these files, in refresh's format (quilt or git headers, labels for
 * the strip level, modes, timestamps from the files at `path`), and quilt's warnings.
 */
export function diffBody(tree: Tree, sides: FileSides[], opts: RefreshOptions & { strip: number }): { body: string; warnings: string[]; trailing: Array<{ file: string; lines: number[] }> } {
  return diffBodyIn(basename(tree.root), sides, opts);
}

/** How refresh writes a patch's diff: what of RefreshOptions says so (no file to take a timestamp from needed). */
export type DiffFormat = Pick<RefreshOptions, 'context' | 'contextFormat' | 'style' | 'noTimestamps' | 'noIndex' | 'prefix' | 'showFunction'>;

/**
 * Before/after texts as the diff refresh would write for them (its labels for `strip` or
 * `prefix`, its headers, context and function lines), for a patch made in memory (a template
 * patch): no timestamps, as there are no files to take them from. `dir`: the tree's folder
 * name, for quilt's labels.
 */
export function diffLike(dir: string, files: ReadonlyArray<{ path: string; before: string | null; after: string | null }>, format: DiffFormat = {}, strip = 1): string {
  const sides: FileSides[] = files.map((f) => ({ file: f.path, old: { text: f.before, mode: 0o644, path: '' }, new: { text: f.after, mode: undefined, path: '' } }));
  return diffBodyIn(dir, sides, { ...format, noTimestamps: true, strip }).body;
}

function diffBodyIn(dir: string, sides: FileSides[], opts: RefreshOptions & { strip: number }): { body: string; warnings: string[]; trailing: Array<{ file: string; lines: number[] }> } {
  const env = process.env;
  const noTs = opts.noTimestamps ?? Boolean(env.QUILT_NO_DIFF_TIMESTAMPS);
  const noIndex = opts.noIndex ?? Boolean(env.QUILT_NO_DIFF_INDEX);
  const git = opts.style === 'git';
  let body = '';
  const trailing: Array<{ file: string; lines: number[] }> = [];
  for (const { file: f, old: b, new: n } of sides) {
    // -p0: `f.orig` and `f`, except that a deleted file keeps its own name (the patch has no other).
    const labels = git ? {} : opts.prefix === 'ab' ? { oldLabel: `a/${f}`, newLabel: `b/${f}` } : opts.strip === 0 ? { oldLabel: n.text === null ? f : `${f}.orig`, newLabel: f } : { oldLabel: `${dir}.orig/${f}`, newLabel: `${dir}/${f}` };
    const fileDiff = makeFileDiff(b.text, n.text, {
      oldPath: f,
      newPath: f,
      style: git ? 'git' : 'quilt',
      context: opts.context ?? 3,
      ...(opts.contextFormat ? { format: 'context' as const } : {}),
      ...(opts.showFunction ? { showFunction: true } : {}),
      indexLine: !noIndex,
      ...labels,
      ...(b.text !== null && n.text !== null && n.mode !== undefined && n.mode !== b.mode
        ? { oldMode: `100${b.mode.toString(8).padStart(3, '0')}`, newMode: `100${n.mode.toString(8).padStart(3, '0')}` }
        : {}),
      ...(noTs || git ? {} : { oldTime: quiltStamp(b.text === null ? null : b.path), newTime: quiltStamp(n.text === null ? null : n.path) }),
    });
    body += fileDiff;
    const lines = trailingWhitespace(fileDiff);
    if (lines.length) trailing.push({ file: f, lines });
  }
  // quilt lists the files in name order.
  trailing.sort((x, y) => (x.file < y.file ? -1 : x.file > y.file ? 1 : 0));
  const warnings = trailing.map(({ file, lines }) => `Warning: trailing whitespace in ${lineList(lines)} of ${file}`);
  return { body, warnings, trailing };
}

const lineList = (lines: number[]): string => `line${lines.length > 1 ? 's' : ''} ${lines.join(',')}`;

/**
 * New-side line numbers of added lines that end in a space or tab (quilt warns about
 * them), in a unified diff (`+` lines) or a context diff (`+ ` and `! ` lines of a
 * `--- N,M ----` section).
 */
function trailingWhitespace(fileDiff: string): number[] {
  const out: number[] = [];
  let line = 0;
  let mode: 'none' | 'unified' | 'context' = 'none';
  for (const l of fileDiff.split('\n')) {
    let m = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(l);
    if (m) [line, mode] = [Number(m[1]), 'unified'];
    else if ((m = /^--- (\d+)(?:,\d+)? ----$/.exec(l))) [line, mode] = [Number(m[1]), 'context'];
    else if (l.startsWith('***')) mode = 'none';
    else if (mode === 'unified') {
      if (l.startsWith('+')) {
        if (/[ \t]\r?$/.test(l)) out.push(line);
        line++;
      } else if (l.startsWith(' ')) line++;
    } else if (mode === 'context' && /^[+! ] /.test(l)) {
      if (l[0] !== ' ' && /[ \t]\r?$/.test(l)) out.push(line);
      line++;
    }
  }
  return out;
}

/** The text with spaces and tabs dropped from the end of these lines (1-based); a CR stays. */
function stripLines(text: string, lines: number[]): string {
  const parts = text.split('\n');
  for (const n of lines) if (parts[n - 1] !== undefined) parts[n - 1] = parts[n - 1]!.replace(/[ \t]+(\r?)$/, '$1');
  return parts.join('\n');
}
