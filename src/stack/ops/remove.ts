/**
 * remove: take files out of an applied patch (quilt's `remove [-P patch] file...`): each
 * file is restored from the patch's .pc original (deleted when it did not exist), its
 * backup dropped, and the patch marked as needing refresh (`.pc/<patch>~refresh`, as
 * quilt does when the patch file exists), since the patch file still has the change.
 * Unlike quilt, which goes file by file, it is all-or-nothing: a file not in the patch,
 * or one a later applied patch also changes, refuses the whole command and writes nothing.
 */
import { join } from 'node:path';
import { PatchqError } from '../../engine/errors.js';
import { displayName, type Tree } from '../layout.js';
import { loadState, withLock } from '../session.js';
import { backupDir, emptyRecord, readBackup, readRecord, recordOp, refreshMarker, readBytes } from '../state.js';
import { treePath } from '../files.js';
import { applyTransaction, type FileOp } from '../transaction.js';
import { appliedPatch, backupIndex, nextPatchForFile, type StackView } from './inspect.js';

export interface RemoveResult {
  patch: string;
  removed: string[];
  lines: string[];
}

/** Refusals for files that cannot leave (or be reverted in) `name`; [] when all can. */
export function fileRefusals(tree: Tree, view: StackView, name: string, files: string[]): string[] {
  const index = backupIndex(tree);
  const out: string[] = [];
  for (const f of files) {
    if (!index(name).has(f)) {
      out.push(`File ${f} is not in patch ${displayName(tree, name)}`);
      continue;
    }
    const later = nextPatchForFile(tree, view, name, f, index);
    if (later) out.push(`File ${f} modified by patch ${displayName(tree, later)}`);
  }
  return out;
}

/**
 * The start remove and revert share, under the lock: the named (or top) applied patch and
 * the files, each once, or the refusals for all of them in one error.
 */
export function checkedFiles(tree: Tree, files: string[], opts: { patch?: string; cwd?: string }): { view: StackView; name: string; unique: string[] } {
  const view = loadState(tree);
  const name = appliedPatch(tree, view, opts.patch, opts.cwd);
  const unique = [...new Set(files)];
  const refusals = fileRefusals(tree, view, name, unique);
  if (refusals.length > 0) throw new PatchqError('E_STATE', refusals.join('\n'), { data: { refusals } });
  return { view, name, unique };
}

/** `files` are tree-relative. */
export function removeFiles(tree: Tree, files: string[], opts: { patch?: string; cwd?: string } = {}): RemoveResult {
  return withLock(tree, () => {
    const { name, unique } = checkedFiles(tree, files, opts);
    const rec = readRecord(tree, name) ?? emptyRecord();
    const ops: FileOp[] = [];
    const lines: string[] = [];
    for (const f of unique) {
      const b = readBackup(tree, name, f, rec);
      ops.push(b.text === null ? { kind: 'delete', path: treePath(tree, f) } : { kind: 'write', path: treePath(tree, f), data: b.text, mode: b.mode });
      ops.push({ kind: 'delete', path: join(backupDir(tree, name), f) });
      rec.emptyFiles = rec.emptyFiles.filter((e) => e !== f);
      delete rec.hashes[f];
      lines.push(`File ${f} removed from patch ${displayName(tree, name)}`);
    }
    if (readBytes(join(tree.patchesDir, name)) !== null) ops.push({ kind: 'write', path: refreshMarker(tree, name), data: '' });
    ops.push(recordOp(tree, name, rec));
    applyTransaction(tree, ops);
    return { patch: name, removed: unique, lines };
  });
}
