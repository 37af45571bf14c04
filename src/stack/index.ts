/**
 * The stack's public API: quilt-compatible series and .pc state, and every mutation
 * through the one transaction shape (transaction.ts). The reapply layer, the commands
 * and the TUI call only this.
 */
import { parsePatch } from '../engine/parse.js';
import type { Tree } from './layout.js';
import { backedUpFiles, readApplied, readSeriesOf } from './state.js';
import { readPatch } from './patchfile.js';

export type { Tree } from './layout.js';
export { displayName, findRoot } from './layout.js';
export type { SeriesEntry } from './series.js';
export { parseSeries, checkApplicable, checkPatchName, insertEntry, removeEntry, renameEntry } from './series.js';
export { openTree, loadState, withLock, withLockAsync, type StackEvents } from './session.js';
export { applyTransaction, recoverTransaction, type FileOp } from './transaction.js';
export { push, pushList, loadPatch, computePatch, touchedPaths, type PushOptions, type PushedPatch, type PushResult, type PushStatus } from './ops/push.js';
export { pop, type PopOptions, type PopResult } from './ops/pop.js';
export { refresh, refreshLocked, withBase, diffLike, type DiffFormat, type RefreshOptions, type RefreshResult } from './ops/refresh.js';
export { refreshFork } from './ops/refresh-fork.js';
export { newPatch, newEntryLine, addFiles, type AddResult } from './ops/new-add.js';
export { targetFrom, type Target } from './target.js';
export { readRecord, currentRecord, contentId, backedUpFiles, readBackup, readText, metadataOps, appliedOp, recordOp, backupDir, refreshMarker, type PatchRecord } from './state.js';

export const readSeries = readSeriesOf;
export const appliedPatches = readApplied;

export { topPatch, landingOf, isDrifted, needsRefresh } from './read.js';

/** Files a patch touches: from .pc when applied, else from the patch file. */
export function patchFiles(tree: Tree, name: string): string[] {
  if (readApplied(tree).includes(name)) return backedUpFiles(tree, name);
  const entry = readSeriesOf(tree).find((e) => e.name === name);
  const text = readPatch(tree, name);
  if (!entry || text === null) return [];
  const files = parsePatch(text, { strip: entry.strip }).files.flatMap((f) => [f.oldPath, f.newPath]);
  return [...new Set(files.filter((f): f is string => !!f))].sort();
}
// Working-tree commands (diff, files, fold, edit, remove, revert, patches, graph).
export { appliedPatch, seriesPatch, treeRelative, listFiles, patchesTouching, type FileRow, type PatchTouch } from './ops/inspect.js';
export { diffPatch, type DiffOptions as DiffPatchOptions, type DiffResult, type FileDiff } from './ops/diff.js';
export { takeSnapshot, removeSnapshot, type SnapshotResult } from './ops/snapshot.js';
export { sourceFiles, type SourceFiles } from './ops/grep.js';
export { fold, type FoldOptions, type FoldResult } from './ops/fold.js';
export { removeFiles, type RemoveResult } from './ops/remove.js';
export { revertFiles, type RevertResult } from './ops/revert.js';
export { dependencyGraph, type GraphOptions, type GraphResult } from './ops/graph.js';
export { importPatches, type ImportOptions, type ImportResult, type ImportedPatch } from './ops/import.js';
export { deletePatch, type DeleteOptions, type DeleteResult } from './ops/delete.js';
export { renamePatch, forkPatch, nextForkName, type RenameResult } from './ops/rename.js';
export { readHeader, writeHeader, splitPatchText, stripDiffstat, stripTrailingWhitespace, dep3Template, type HeaderInfo, type WriteHeaderOptions, type WriteHeaderResult } from './ops/header.js';
export { exportSeries, gitFileDiff, type ExportOptions, type ExportResult, type ExportedPatch } from './ops/export.js';
export { splitMailbox, mailHeaders, parseDep3, gitPatchName, type Dep3 } from './mail.js';
export { annotate, type Annotated } from './ops/annotate.js';
export { compressionOf, readPatch, readPatchFile, writePatchOp, writeSeriesOp } from './patchfile.js';
export { editPatchCopy } from './ops/edit-patch.js';
export { makeBaseFor } from './bases.js';
