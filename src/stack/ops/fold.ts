/**
 * fold: apply a patch (text from stdin) to the working tree, into the top patch (quilt's
 * `fold [-R] [-q] [-f] [-p N] < patch`). Every file it writes that the top patch does
 * not have yet is backed up in .pc first (as `add` would), so the next refresh takes the
 * folded change into the top patch; a file it skips is not (foldOps).
 *
 * All-or-nothing through the engine's cascade (exact, offset, fuzz, fuzzy; no 3-way, a
 * patch on stdin has no pre-image): every file's result is computed in memory, and only
 * when every hunk landed is ONE transaction written (backups, record, files). A hunk that
 * fails leaves the tree as it was, with no .rej either (quilt's fold puts its files back
 * but leaves FILE.rej, over one the user had: README); the report says "rejects in file
 * FILE", as quilt's push says where it writes none. With `force` the partial result is
 * written with the rejects beside it, as quilt does ("saving rejects to file FILE.rej").
 */
import { join, posix } from 'node:path';
import { applyPatch, formatFileReport, leadingText, missingFileLines, parsePatch } from '../../engine/index.js';
import { PatchqError } from '../../engine/errors.js';
import type { FileResult, ParsedPatch, PatchReport } from '../../engine/types.js';
import { displayName, type Tree } from '../layout.js';
import { loadState, withLock } from '../session.js';
import { backedUpFiles, backupDir, readRecord, recordOp, contentId, emptyRecord } from '../state.js';
import { modeOf, parseMode, readTreeFile, treePath } from '../files.js';
import { applyTransaction, type FileOp } from '../transaction.js';
import { appliedPatch } from './inspect.js';
import { touchedPaths } from './push.js';
import { normalizeTreePath } from '../../engine/paths.js';

export interface FoldOptions {
  reverse?: boolean;
  quiet?: boolean;
  force?: boolean;
  strip?: number;
  fuzz?: number;
  /** Name of the input in messages (default "<stdin>"). */
  source?: string;
  /**
   * The folder below the root the command runs in ("dir"): the patch's names are read from
   * there, as quilt's `patch -d $SUBDIR` does.
   */
  subdir?: string;
}

export interface FoldResult {
  patch: string;
  /** Files the fold put under the patch (backed up now). */
  added: string[];
  report: PatchReport;
  /** Written with rejects (force). */
  forced: boolean;
  lines: string[];
}

export function fold(tree: Tree, patchText: string, opts: FoldOptions = {}): FoldResult {
  return withLock(tree, () => {
    const view = loadState(tree);
    const top = appliedPatch(tree, view);
    const source = opts.source ?? '<stdin>';
    // No input at all (`fold < /dev/null`): GNU patch reads no patch and does nothing, so
    // quilt's fold exits 0. (A blank line or other text without a diff is garbage, below.)
    if (patchText === '') return { patch: top, added: [], report: { files: [], ok: true, clean: true }, forced: false, lines: [] };
    const read = parsePatch(patchText, { strip: opts.strip ?? 1, fileName: source });
    const under = (p: string | null | undefined) => (p && opts.subdir ? normalizeTreePath(`${opts.subdir}/${p}`) : p);
    const parsed = opts.subdir ? { ...read, files: read.files.map((f) => ({ ...f, oldPath: under(f.oldPath), newPath: under(f.newPath) }) as typeof f) } : read;
    if (parsed.files.length === 0) throw new PatchqError('E_PATCH_PARSE', 'only garbage was found in the patch input', { file: source });
    const current = new Map<string, string | null>();
    for (const f of parsed.files) {
      for (const p of [f.oldPath, f.newPath]) if (p && !current.has(p)) current.set(p, readTreeFile(tree, p, { file: source, line: f.patchLine }));
    }
    const run = applyPatch(parsed, (f) => ({ text: current.get((f.oldPath ?? f.newPath)!) ?? null }), {
      fuzz: opts.fuzz ?? 2,
      reverse: opts.reverse ?? false,
      merge: 'none',
    });
    const lines: string[] = [];
    run.results.forEach((r, i) => {
      // A file that is not there: GNU patch's words (fold runs patch as quilt does).
      if (r.report.missing) return lines.push(...missingFileLines(r.report, leadingText(patchText, parsed.files, i), Boolean(opts.quiet)));
      // Named from the folder the command runs in, as patch -d prints them under quilt.
      const from = (p: string) => fromSubdir(opts.subdir, p);
      const shown = opts.subdir ? { ...r.report, path: from(r.report.path), oldPath: r.report.oldPath && from(r.report.oldPath) } : r.report;
      const rej = opts.force ? { rejectsFile: `${shown.path}.rej` } : {};
      for (const l of formatFileReport(shown, rej)) {
        if (!opts.quiet) lines.push(l);
        // -q is patch -s under quilt, as for push -q: the count of failed hunks alone, with
        // where the rejects went when they were saved (-f).
        else if (/^\d+ out of \d+ hunks? FAILED/.test(l)) lines.push(opts.force ? l : l.replace(/ -- .*$/, ''));
      }
    });
    const shown = displayName(tree, top);
    if (!run.report.ok && !opts.force) {
      throw new PatchqError('E_APPLY', `Nothing folded into patch ${shown}: the patch does not apply (enforce with -f)`, { data: { lines, report: run.report } });
    }
    const { ops, added } = foldOps(tree, top, parsed, run.results, current, opts.subdir);
    applyTransaction(tree, ops);
    return { patch: top, added, report: run.report, forced: !run.report.ok, lines };
  });
}

/** A tree path as named from `subdir` (patch -d's view: "sub/s.txt" is "s.txt" from sub). */
const fromSubdir = (subdir: string | undefined, p: string): string => (subdir ? posix.relative(subdir, p) : p);

/**
 * The one transaction: backups (and record) for the files the fold writes that are new to
 * the top patch, then the results and rejects.
 *
 * Only a file the fold writes joins the patch, as only the files GNU patch writes get a
 * backup under quilt's fold. One it skips stays out (quilt 0.66 alike, checked against it):
 * a file that is not there ("No file to patch.  Skipping patch."), which would otherwise
 * come back as an empty backup, so that a later file of that name turned up in the patch
 * as new; and one that already holds the change: quilt's `fold -f` runs patch without -f,
 * whose "Reversed (or previously applied) patch detected!  Assume -R? [n]" takes its
 * default and skips the file, saving its rejects. Those are saved here too.
 */
function foldOps(tree: Tree, top: string, parsed: ParsedPatch, results: FileResult[], current: Map<string, string | null>, subdir?: string): { ops: FileOp[]; added: string[] } {
  const inPatch = new Set(backedUpFiles(tree, top));
  const rec = readRecord(tree, top) ?? emptyRecord();
  const writes: FileOp[] = [];
  const written = new Set<string>();
  const rejects = (r: FileResult) => {
    if (!r.rejects) return;
    // The .rej names its file as patch -d names it, too ("--- s.txt" from sub/).
    const head = `--- ${r.report.path}\n+++ ${r.report.path}\n`;
    const name = fromSubdir(subdir, r.report.path);
    const data = subdir && r.rejects.startsWith(head) ? `--- ${name}\n+++ ${name}\n${r.rejects.slice(head.length)}` : r.rejects;
    writes.push({ kind: 'write', path: treePath(tree, `${r.report.path}.rej`), data });
  };
  results.forEach((r, k) => {
    const f = parsed.files[k]!;
    if (r.report.status === 'already-applied') return rejects(r);
    if (r.report.status !== 'ok' && r.rejects === '') return;
    if (f.kind === 'rename' && f.oldPath && f.oldPath !== r.report.path) {
      writes.push({ kind: 'delete', path: treePath(tree, f.oldPath) });
      written.add(f.oldPath);
    }
    if (r.text === null) writes.push({ kind: 'delete', path: treePath(tree, r.report.path) });
    else {
      const mode = parseMode(r.mode) ?? modeOf(tree, f.oldPath ?? r.report.path) ?? parseMode(f.newMode) ?? 0o644;
      writes.push({ kind: 'write', path: treePath(tree, r.report.path), data: r.text, mode });
    }
    written.add(r.report.path);
    rejects(r);
  });
  const ops: FileOp[] = [];
  const added: string[] = [];
  for (const p of touchedPaths(parsed)) {
    if (inPatch.has(p) || !written.has(p)) continue;
    const text = current.get(p) ?? null;
    ops.push({ kind: 'write', path: join(backupDir(tree, top), p), data: text ?? '', mode: text === null ? 0o644 : (modeOf(tree, p) ?? 0o644) });
    if (text === '') rec.emptyFiles.push(p);
    // As after `add`: the file as the patch has it now; the fold itself is unrefreshed.
    rec.hashes[p] = contentId(text);
    added.push(p);
  }
  ops.push(...writes);
  if (added.length > 0) ops.push(recordOp(tree, top, rec));
  return { ops, added };
}
