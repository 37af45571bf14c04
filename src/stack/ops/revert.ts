/**
 * revert: throw away the unrefreshed changes to files of an applied patch (quilt's
 * `revert [-P patch] file...`): each file goes back to what the patch file makes of the
 * .pc original, computed in memory (quilt applies the patch in a temp dir). The files
 * stay in the patch. "File x is unchanged" when there was nothing to undo.
 * All-or-nothing: any refused file (not in the patch, changed by a later patch) refuses all.
 */
import { join } from 'node:path';
import { displayName, type Tree } from '../layout.js';
import { withLock } from '../session.js';
import { backupDir, contentId, fileMode, readRecord, recordOp } from '../state.js';
import { modeOf, readTreeFile, treePath } from '../files.js';
import { applyTransaction, type FileOp } from '../transaction.js';
import { patchedVersions } from './inspect.js';
import { checkedFiles } from './remove.js';

export interface RevertResult {
  patch: string;
  reverted: string[];
  unchanged: string[];
  lines: string[];
}

/** `files` are tree-relative. */
export function revertFiles(tree: Tree, files: string[], opts: { patch?: string; cwd?: string } = {}): RevertResult {
  return withLock(tree, () => {
    const { view, name, unique } = checkedFiles(tree, files, opts);
    const want = patchedVersions(tree, view, name, unique);
    const rec = readRecord(tree, name);
    const shown = displayName(tree, name);
    const res: RevertResult = { patch: name, reverted: [], unchanged: [], lines: [] };
    const ops: FileOp[] = [];
    for (const f of unique) {
      const target = want.get(f) ?? null;
      if (readTreeFile(tree, f) === target) {
        res.unchanged.push(f);
        res.lines.push(`File ${f} is unchanged`);
        continue;
      }
      // quilt copies the temp file with cp -p: the original's mode comes along.
      const mode = modeOf(tree, f) ?? fileMode(join(backupDir(tree, name), f)) ?? 0o644;
      ops.push(target === null ? { kind: 'delete', path: treePath(tree, f) } : { kind: 'write', path: treePath(tree, f), data: target, mode });
      if (rec) rec.hashes[f] = contentId(target);
      res.reverted.push(f);
      res.lines.push(`Changes to ${f} in patch ${shown} reverted`);
    }
    if (ops.length > 0) applyTransaction(tree, rec ? [...ops, recordOp(tree, name, rec)] : ops);
    return res;
  });
}
