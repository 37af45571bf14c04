/**
 * new: start a patch on top (inserted after the current top, as quilt does);
 * add: put files under the top patch's control by backing them up in .pc first.
 */
import { existsSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { PatchqError } from '../../engine/errors.js';
import { normalizeTreePath } from '../../engine/paths.js';
import { displayName, type Tree } from '../layout.js';
import { checkNesting, checkPatchName, insertEntry } from '../series.js';
import { loadState, withLock } from '../session.js';
import { appliedOp, backedUpFiles, backupDir, metadataOps, readRecord, readText, recordOp, contentId, emptyRecord } from '../state.js';
import { readTreeFile, treePath } from '../files.js';
import { applyTransaction, type FileOp } from '../transaction.js';
import { writePatchOp, writeSeriesOp } from '../patchfile.js';

/**
 * The series line `new -p` writes for a new patch, as quilt's new: `NAME -p0`, `NAME -pab`
 * (quilt's own, see SeriesEntry), or `NAME` for -p1.
 */
export function newEntryLine(name: string, opts: { strip?: number; ab?: boolean } = {}): string {
  return opts.ab ? `${name} -pab` : opts.strip !== undefined && opts.strip !== 1 ? `${name} -p${opts.strip}` : name;
}

/** `ab`: quilt's `new -p ab`, a `-pab` in the series until the first refresh writes a/ b/ labels. */
export function newPatch(tree: Tree, name: string, opts: { strip?: number; ab?: boolean; header?: string; patchText?: string } = {}): string {
  // Before the lock: a refused name must not even create .pc/ in a fresh tree.
  checkPatchName(name, tree.seriesName);
  return withLock(tree, () => {
    const { series, applied } = loadState(tree);
    if (series.some((e) => e.name === name)) throw new PatchqError('E_EXISTS', `Patch ${displayName(tree, name)} exists already`);
    checkNesting(name, series.map((e) => e.name), (n) => displayName(tree, n));
    const top = applied[applied.length - 1] ?? null;
    const seriesText = readText(tree.seriesPath) ?? '';
    const line = newEntryLine(name, opts);
    const ops: FileOp[] = [
      ...metadataOps(tree),
      writeSeriesOp(tree, insertEntry(seriesText, series, top, line)),
      // quilt's new: an empty .pc/NAME (a stale one removed first), no .timestamp; quilt's
      // pop then checks the patch whatever the times (files_may_have_changed), as patchq's.
      ...(existsSync(backupDir(tree, name)) ? [{ kind: 'rmtree', path: backupDir(tree, name) } as const] : []),
      { kind: 'mkdir', path: backupDir(tree, name) },
      appliedOp(tree, [...applied, name]),
    ];
    if (opts.patchText !== undefined) ops.push(writePatchOp(tree, name, opts.patchText));
    applyTransaction(tree, ops);
    return `Patch ${displayName(tree, name)} is now on top`;
  });
}

export interface AddResult {
  added: string[];
  /** quilt exits 2 when a file was already in the patch. */
  already: string[];
  /** Files below patches/ or .pc/: quilt refuses them, goes on with the rest, exits 1. */
  refused: string[];
  lines: string[];
}

export function addFiles(tree: Tree, cwd: string, files: string[], opts: { patch?: string } = {}): AddResult {
  return withLock(tree, () => {
    const { applied } = loadState(tree);
    const name = opts.patch ?? applied[applied.length - 1];
    if (!name) throw new PatchqError('E_STATE', 'No patches applied');
    const at = applied.indexOf(name);
    if (at < 0) throw new PatchqError('E_STATE', `Patch ${displayName(tree, name)} is not applied`);
    const inPatch = new Set(backedUpFiles(tree, name));
    const rec = readRecord(tree, name) ?? emptyRecord();
    const ops: FileOp[] = [];
    const res: AddResult = { added: [], already: [], refused: [], lines: [] };
    for (const file of files) {
      const abs = resolve(cwd, file);
      const below = [tree.patchesDir, tree.pcDir].find((d) => abs.startsWith(d.endsWith('/') ? d : `${d}/`));
      if (below) {
        const shown = relative(tree.root, abs);
        res.refused.push(shown);
        res.lines.push(`File ${shown} is located below ${below === tree.pcDir ? relative(tree.root, tree.pcDir) : tree.patchesName}/`);
        continue;
      }
      const rel = normalizeTreePath(relative(tree.root, resolve(cwd, file)).split('\\').join('/'));
      if (inPatch.has(rel)) {
        res.already.push(rel);
        res.lines.push(`File ${rel} is already in patch ${displayName(tree, name)}`);
        continue;
      }
      for (const later of applied.slice(at + 1)) {
        if (existsSync(join(backupDir(tree, later), rel))) {
          throw new PatchqError('E_STATE', `File ${rel} modified by patch ${displayName(tree, later)}`);
        }
      }
      const text = readTreeFile(tree, rel);
      // A path through a regular file ('g.txt/x') can never be a file: adding it put a folder
      // g.txt/ in .pc, beside or in place of g.txt's backup.
      const through = text === null ? fileOnTheWay(tree, rel) : null;
      if (through !== null) throw new PatchqError('E_NOT_FOUND', `refusing path '${rel}': ${through} is not a directory`);
      const backup = join(backupDir(tree, name), rel);
      if (text === null) ops.push({ kind: 'write', path: backup, data: '', mode: 0o644 });
      else {
        // quilt's add (backup-files -L): the original file becomes the backup and the tree
        // gets a copy of its own (bytes, mode, mtime), so editing it cannot reach a hard
        // link the user made; pop brings the original, and that link, back.
        const st = statSync(treePath(tree, rel));
        ops.push({ kind: 'copy', path: backup, from: treePath(tree, rel) });
        ops.push({ kind: 'write', path: treePath(tree, rel), data: text, mode: st.mode & 0o7777, mtime: st.mtimeMs });
      }
      if (text === '') rec.emptyFiles.push(rel);
      rec.hashes[rel] = contentId(text);
      inPatch.add(rel);
      res.added.push(rel);
      res.lines.push(`File ${rel} added to patch ${displayName(tree, name)}`);
    }
    if (ops.length > 0) applyTransaction(tree, [...ops, recordOp(tree, name, rec)]);
    return res;
  });
}

/** The first folder of `rel` that is there and is no folder ('g.txt' for 'g.txt/x'), or null. */
function fileOnTheWay(tree: Tree, rel: string): string | null {
  const parts = rel.split('/');
  for (let k = 1; k < parts.length; k++) {
    const p = parts.slice(0, k).join('/');
    const st = statSync(join(tree.root, p), { throwIfNoEntry: false }); // a link to a folder is a folder
    if (!st) return null;
    if (!st.isDirectory()) return p;
  }
  return null;
}
