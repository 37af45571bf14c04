/**
 * refresh -z[NAME] (quilt's fork refresh): what changed in the top patch's files since it
 * was last refreshed goes into a NEW patch, inserted after it in series and applied on
 * top of it; the old patch file stays as it is.
 *   top a.diff, a.txt edited again -> "Fork of patch a.diff created as a-2.diff"
 * The new patch's .pc originals are the old patch's files as its stored text makes them
 * (the patch applied to its own originals, in memory), so popping the new patch gives the
 * old one back exactly, and popping that gives the pristine tree.
 */
import { join } from 'node:path';
import { PatchqError } from '../../engine/errors.js';
import { displayName, type Tree } from '../layout.js';
import { loadState, withLock } from '../session.js';
import { checkNesting, checkPatchName, insertEntry } from '../series.js';
import { appliedOp, backedUpFiles, backupDir, readBackup, readRecord, readText, recordOp, contentId, emptyRecord, readBytes } from '../state.js';
import { modeOf, readTreeFile, treePath } from '../files.js';
import { applyTransaction, type FileOp } from '../transaction.js';
import { diffBody, type FileSides, type RefreshOptions, type RefreshResult } from './refresh.js';
import { patchedVersions } from './inspect.js';
import { nextForkName } from './rename.js';
import { writePatchOp, writeSeriesOp } from '../patchfile.js';

export function refreshFork(tree: Tree, newName: string | undefined, opts: RefreshOptions = {}): RefreshResult {
  return withLock(tree, () => {
    const { series, applied } = loadState(tree);
    const top = applied[applied.length - 1];
    if (!top) throw new PatchqError('E_STATE', 'No patches applied');
    if (opts.name !== undefined && opts.name !== top) throw new PatchqError('E_USAGE', 'Can only refresh the topmost patch with -z currently');
    const name = newName ? (newName.startsWith(`${tree.patchesName}/`) ? newName.slice(tree.patchesName.length + 1) : newName) : nextForkName(top);
    checkPatchName(name, tree.seriesName);
    checkNesting(name, series.map((e) => e.name), (n) => displayName(tree, n));
    if (series.some((e) => e.name === name) || readBytes(join(tree.patchesDir, name)) !== null) {
      throw new PatchqError('E_EXISTS', `Patch ${displayName(tree, name)} exists already`);
    }
    const entry = series.find((e) => e.name === top)!;
    const rec = readRecord(tree, top);
    const files = backedUpFiles(tree, top);
    // The old patch's files as its stored text makes them: the new patch's originals.
    const made = patchedVersions(tree, { series, applied }, top, files);
    const sides: FileSides[] = files.map((f) => {
      const mode = modeOf(tree, f) ?? readBackup(tree, top, f, rec).mode;
      return { file: f, old: { text: made.get(f) ?? null, mode, path: join(backupDir(tree, top), f) }, new: { text: readTreeFile(tree, f), mode, path: treePath(tree, f) } };
    });
    const { body, warnings } = diffBody(tree, sides, { ...opts, strip: entry.strip });
    const shownNew = displayName(tree, name);
    if (body === '') throw new PatchqError('E_STATE', `Nothing in patch ${shownNew}`); // quilt: exit 1
    const ops: FileOp[] = [writePatchOp(tree, name, body)];
    // The old patch's options (quilt: its patch_args), but the new patch is written forward.
    const options = entry.options.filter((o) => o !== '-R').join(' ');
    ops.push(writeSeriesOp(tree, insertEntry(readText(tree.seriesPath) ?? '', series, top, options ? `${name} ${options}` : name)));
    const emptyFiles: string[] = [];
    const hashes: Record<string, string | null> = {};
    for (const x of sides) {
      ops.push({ kind: 'write', path: join(backupDir(tree, name), x.file), data: x.old.text ?? '', mode: x.old.text === null ? 0o644 : x.old.mode });
      if (x.old.text === '') emptyFiles.push(x.file);
      hashes[x.file] = contentId(x.new.text);
    }
    ops.push({ kind: 'write', path: join(backupDir(tree, name), '.timestamp'), data: '' });
    ops.push(recordOp(tree, name, { ...emptyRecord(), emptyFiles, hashes, patchHash: contentId(body)! }));
    ops.push(appliedOp(tree, [...applied, name]));
    applyTransaction(tree, ops);
    return { name, changed: true, empty: false, patchText: body, message: `Fork of patch ${displayName(tree, top)} created as ${shownNew}`, warnings };
  });
}
