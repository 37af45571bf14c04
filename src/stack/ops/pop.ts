/**
 * pop: restore the top patch's files from .pc byte-exact (modes too; quilt's fresh mtime).
 * A run of pops is one transaction (pending.ts): each file is restored once, from the
 * lowest popped patch's backup, hard-linked rather than copied. Refuses, with quilt's reason, when the patch does not remove cleanly (its
 * files were changed and not refreshed) unless `force`.
 *
 * "Removes cleanly" is checked against patchq's record of each file's hash right after
 * the last push/refresh: one hash per file, no re-apply. For a patch quilt pushed (no
 * record) we do what quilt does: files newer than .timestamp trigger a re-apply of the
 * patch to the backups in memory, compared with the tree.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { isPatchqError, PatchqError } from '../../engine/errors.js';
import { displayName, type Tree } from '../layout.js';
import { withLockAsync, type StackEvents } from '../session.js';
import { PendingRun } from '../pending.js';
import type { SeriesEntry } from '../series.js';
import { readApplied, readSeriesOf } from '../state.js';
import { backedUpFiles, backupDir, dropRecordOp, isCurrent, fileStamp, readBackup, readRecord, readText, refreshMarker, contentId, type PatchRecord } from '../state.js';
import { treePath } from '../files.js';
import { notInSeries, type Target } from '../target.js';
import { patchedVersions } from './inspect.js';
import type { RefreshOptions } from './refresh.js';
import { readPatchFile } from '../patchfile.js';

export interface PopOptions {
  target?: Target;
  force?: boolean;
  quiet?: boolean;
  /** quilt's pop --refresh: refresh each patch, then remove it (in `refreshFormat`). */
  refresh?: boolean;
  refreshFormat?: RefreshOptions;
}

export interface PopResult {
  popped: string[];
  top: string | null;
}

export async function pop(tree: Tree, opts: PopOptions = {}, ev: StackEvents = {}): Promise<PopResult> {
  return withLockAsync(tree, async () => {
    // Not loadState: a series file edited out of order blocks every other command, but pop
    // (what quilt's message tells you to run) must still work, as in quilt.
    const series = readSeriesOf(tree);
    const applied = readApplied(tree);
    if (opts.force && opts.refresh) throw new PatchqError('E_STATE', 'Options -f and --refresh are mutually exclusive');
    const t = opts.target;
    // As quilt: a named patch that is not applied is said first, then nothing to pop (pop 0 too).
    if (applied.length === 0 && !(t && 'name' in t)) throw new PatchqError('E_NOTHING', 'No patch removed');
    let count = 1;
    if (t && 'all' in t) count = applied.length;
    else if (t && 'count' in t) count = Math.min(t.count, applied.length);
    else if (t && 'name' in t) {
      const at = applied.indexOf(t.name);
      if (at < 0) {
        if (!series.some((e) => e.name === t.name)) throw notInSeries(t.name);
        throw new PatchqError('E_STATE', `Patch ${displayName(tree, t.name)} is not applied`);
      }
      count = applied.length - 1 - at;
    }
    if (count === 0) throw new PatchqError('E_NOTHING', 'No patch removed');
    const popped: string[] = [];
    const run = new PendingRun(tree, applied);
    try {
      for (let i = 0; i < count; i++) {
        const name = run.applied[run.applied.length - 1]!;
        // Awaited: a screen's callback may return a promise to paint before the patch is worked on.
        await ev.patchStart?.(name, i, count);
        if (opts.refresh) {
          run.flush(); // refresh reads the tree from disk
          const { refreshLocked } = await import('./refresh.js');
          const r = refreshLocked(tree, { ...opts.refreshFormat, name });
          ev.line?.(r.message);
        }
        popOne(tree, series, name, run, opts, ev);
        popped.push(name);
      }
    } finally {
      // A patch that does not remove cleanly stops the run there: the ones above it are popped.
      run.flush();
    }
    const top = run.applied[run.applied.length - 1] ?? null;
    ev.line?.(top ? `Now at patch ${displayName(tree, top)}` : 'No patches applied');
    return { popped, top };
  });
}

function popOne(tree: Tree, series: SeriesEntry[], name: string, run: PendingRun, opts: PopOptions, ev: StackEvents): void {
  const shown = displayName(tree, name);
  if (!opts.force && readText(refreshMarker(tree, name)) !== null) {
    throw new PatchqError('E_STATE', `Patch ${shown} needs to be refreshed first.`);
  }
  const rec = readRecord(tree, name);
  const files = backedUpFiles(tree, name);
  // The record's hashes are of patchq's push: after quilt popped and pushed the patch again
  // (or touched .timestamp, as its refresh does) quilt's own rule decides, as for a patch
  // quilt pushed. (The record's real empty files still count: quilt keeps their backups.)
  const current = rec !== null && isCurrent(tree, name, rec);
  const before = current ? (rec?.before ?? {}) : {};
  if (!opts.force && !removesCleanly(tree, series, name, files, current ? rec : null, run)) {
    throw new PatchqError('E_STATE', `Patch ${shown} does not remove cleanly (refresh it or enforce with -f)`);
  }
  ev.line?.(files.length === 0 ? `Patch ${shown} appears to be empty, removing` : `Removing patch ${shown}`);
  // Worked out and reported first, given to the run after: a line that cannot be written
  // (it throws) stops the run before this patch, never with part of it in the run (which
  // is written all the same: the patches before it are popped).
  const restores: Array<[string, string | null, string | undefined]> = [];
  for (const f of files) {
    const backup = join(backupDir(tree, name), f);
    const hash = before[f];
    // 0 bytes = the file did not exist, unless patchq recorded a real empty file. A current
    // record knows it without a look: its id of the backup is null for "did not exist".
    const absent = hash !== undefined ? hash === null : statSync(backup).size === 0 && !(rec?.emptyFiles ?? []).includes(f);
    restores.push([f, absent ? null : backup, typeof hash === 'string' ? hash : undefined]);
    if (!opts.quiet) ev.line?.(absent ? `Removing ${f}` : `Restoring ${f}`);
  }
  for (const [f, backup, hash] of restores) run.setFrom(f, backup, hash);
  run.add([{ kind: 'rmtree', path: backupDir(tree, name) }, { kind: 'delete', path: refreshMarker(tree, name) }, dropRecordOp(tree, name)]);
  run.applied.pop();
  if (!opts.quiet) ev.line?.('');
}

function removesCleanly(tree: Tree, series: SeriesEntry[], name: string, files: string[], rec: PatchRecord | null, run: PendingRun): boolean {
  const patchPath = join(tree.patchesDir, name);
  // The patch file edited since it was pushed or refreshed: the hashes say the tree is as
  // the OLD text left it, which is no longer what the patch holds. Check it as quilt does.
  const edited = rec !== null && patchEdited(rec, patchPath);
  if (rec && !edited) {
    return files.every((f) => {
      const now = run.hash(f);
      const expected = f in rec.hashes ? rec.hashes[f] : contentId(readBackup(tree, name, f, rec).text);
      return now === expected;
    });
  }
  if (!rec) {
    // Pushed by quilt: its rule. Only files touched after the push, or a patch file
    // newer than the push, need a look. No .timestamp (quilt's new makes none; its push
    // and refresh do) means that anything may have changed: look (quilt's
    // files_may_have_changed), or edits to a file added after quilt's new would be lost.
    const stamp = statSync(join(backupDir(tree, name), '.timestamp'), { throwIfNoEntry: false })?.mtimeMs;
    const newer = (p: string) => {
      try {
        return statSync(p).mtimeMs > stamp! + 1;
      } catch {
        return false;
      }
    };
    // A file a pop above in this run restored counts as touched: look at it.
    if (stamp !== undefined && !newer(patchPath) && !files.some((f) => run.has(f) || newer(treePath(tree, f)))) return true;
  }
  if (!series.some((e) => e.name === name)) return true;
  // What the patch file makes of the backups must be what the tree holds.
  let expected: Map<string, string | null>;
  try {
    expected = patchedVersions(tree, { series, applied: run.applied }, name, files);
  } catch (e) {
    if (isPatchqError(e) && e.code === 'E_APPLY') return false;
    throw e;
  }
  return files.every((f) => run.text(f) === (expected.get(f) ?? null));
}

/**
 * The patch file is not the one the record was made from: its size:mtime differ (then,
 * when the record has the hash too, the text decides), or its hash does. A record with
 * neither (older patchq) cannot tell: not edited, as before.
 */
function patchEdited(rec: PatchRecord, path: string): boolean {
  if (rec.patchStamp !== undefined && fileStamp(path) === rec.patchStamp) return false;
  if (rec.patchHash !== undefined) return rec.patchHash !== contentId(readPatchFile(path));
  return rec.patchStamp !== undefined;
}

export { notInSeries };
