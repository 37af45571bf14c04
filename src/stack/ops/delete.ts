/**
 * delete: remove a patch from the series (quilt's `delete [-r] [--backup] [PATCH | -n]`).
 * The top patch is popped first, forced, as quilt does (`quilt pop -fq`: edits not
 * refreshed are discarded); any other applied patch is refused. -r also removes the
 * patch file, --backup (with -r) keeps it as PATCH~.
 *
 * The pop and the series change are ONE transaction: a crash leaves either the patch
 * applied and listed, or gone from both, never listed-but-half-popped.
 */
import { join } from 'node:path';
import { PatchqError } from '../../engine/errors.js';
import { displayName, type Tree } from '../layout.js';
import { removeEntry } from '../series.js';
import { loadState } from '../session.js';
import { appliedOp, backedUpFiles, backupDir, dropRecordOp, readBackup, readRecord, readText, refreshMarker, readBytes } from '../state.js';
import { treePath } from '../files.js';
import type { FileOp } from '../transaction.js';
import { writeSeriesOp } from '../patchfile.js';
import { checkedThenLocked, findPatch, patchOrTop } from './header.js';

export interface DeleteOptions {
  /** -n: the patch after the named (or top) one. */
  next?: boolean;
  /** -r: remove the patch file too. */
  remove?: boolean;
  /** --backup: with -r, rename the file to PATCH~ instead. */
  backup?: boolean;
  /** Where the command runs (a "../patches/x" name is read from there). */
  cwd?: string;
}

export interface DeleteResult {
  name: string;
  /** It was the top patch and was popped first. */
  popped: boolean;
  /** The new top after the pop (when popped). */
  top: string | null;
  /** What happened to the patch file. */
  file: 'kept' | 'removed' | 'backup';
  lines: string[];
}

export function deletePatch(tree: Tree, given: string | undefined, opts: DeleteOptions = {}): DeleteResult {
  return checkedThenLocked(tree, () => {
    const { series, applied } = loadState(tree);
    let name: string;
    if (opts.next) {
      const from = given ? findPatch(tree, series, given, opts.cwd) : (applied[applied.length - 1] ?? null);
      const at = from === null ? -1 : series.findIndex((e) => e.name === from);
      const after = series[at + 1];
      if (!after) throw new PatchqError('E_STATE', 'No next patch');
      name = after.name;
    } else {
      name = patchOrTop(tree, series, applied, given, opts.cwd);
    }
    const shown = displayName(tree, name);
    const ops: FileOp[] = [];
    const lines: string[] = [];
    let popped = false;
    let top: string | null = applied[applied.length - 1] ?? null;
    if (applied.includes(name)) {
      if (name !== top) throw new PatchqError('E_STATE', `Patch ${shown} is currently applied`);
      ops.push(...popOps(tree, name, applied.slice(0, -1)));
      popped = true;
      top = applied[applied.length - 2] ?? null;
      // quilt's delete runs its pop: a patch with no file "appears to be empty".
      lines.push(backedUpFiles(tree, name).length === 0 ? `Patch ${shown} appears to be empty, removing` : `Removing patch ${shown}`, top ? `Now at patch ${displayName(tree, top)}` : 'No patches applied');
    }
    ops.push(writeSeriesOp(tree, removeEntry(readText(tree.seriesPath) ?? '', series, name)));
    lines.push(`Removed patch ${shown}`);
    const patchPath = join(tree.patchesDir, name);
    const bytes = opts.remove ? readBytes(patchPath) : null;
    let file: DeleteResult['file'] = 'kept';
    if (bytes !== null) {
      // quilt's mv: PATCH~ is the old file itself (mode, time; a link, as the delete follows),
      // a symlink too (the link moves, its target stays as it is).
      if (opts.backup) ops.push({ kind: 'copy', path: `${patchPath}~`, from: patchPath });
      ops.push({ kind: 'delete', path: patchPath });
      file = opts.backup ? 'backup' : 'removed';
    }
    return { ops, result: { name, popped, top, file, lines } };
  });
}

/** Forced pop of the top patch (quilt `pop -f`): every file back from .pc, byte-exact. */
function popOps(tree: Tree, name: string, remaining: string[]): FileOp[] {
  const rec = readRecord(tree, name);
  const ops: FileOp[] = [];
  for (const f of backedUpFiles(tree, name)) {
    const b = readBackup(tree, name, f, rec);
    ops.push(b.text === null ? { kind: 'delete', path: treePath(tree, f) } : { kind: 'write', path: treePath(tree, f), data: b.text, mode: b.mode });
  }
  ops.push({ kind: 'rmtree', path: backupDir(tree, name) }, { kind: 'delete', path: refreshMarker(tree, name) }, dropRecordOp(tree, name), appliedOp(tree, remaining));
  return ops;
}
