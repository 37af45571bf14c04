/**
 * snapshot: quilt's `snapshot [-d]`, and the old side of `diff --snapshot`. quilt keeps the
 * snapshot in .pc/.snap/: for every file of the applied patches, a copy of the working file
 * as it is (bytes, mode and mtime: quilt's cp -p), or a 0-byte file for one that is not
 * there (quilt's backup rule: empty = absent). patchq writes and reads that same folder,
 * so a snapshot taken by quilt is diffed by patchq and the other way round.
 * Taking one replaces the last one; -d only removes it. One transaction either way.
 */
import { existsSync, lstatSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { resolveInsideStat } from '../../fsx/guard.js';
import type { Tree } from '../layout.js';
import { loadState, withLock } from '../session.js';
import { backedUpFiles, readBytes, readText } from '../state.js';
import { applyTransaction, type FileOp } from '../transaction.js';

/** quilt's snap_subdir. */
export const snapDir = (tree: Tree): string => join(tree.pcDir, '.snap');

export interface SnapshotResult {
  /** The files the snapshot holds, tree-relative, sorted. */
  files: string[];
  /** Of those, the ones that were not there (kept as 0-byte files). */
  absent: string[];
}

/** Replace the snapshot with the working state of every file of the applied patches. */
export function takeSnapshot(tree: Tree): SnapshotResult {
  return withLock(tree, () => {
    const { applied } = loadState(tree);
    const files = [...new Set(applied.flatMap((p) => backedUpFiles(tree, p)))].sort();
    const dir = snapDir(tree);
    const ops: FileOp[] = [];
    if (lstatSync(dir, { throwIfNoEntry: false })) ops.push({ kind: 'rmtree', path: dir });
    // The folder itself, even with no file in it: `diff --snapshot` asks whether it is there.
    ops.push({ kind: 'mkdir', path: dir });
    const absent: string[] = [];
    for (const file of files) {
      const { full, st } = resolveInsideStat(tree.root, file);
      // A link inside the tree is followed, as cp follows it.
      const real = st && !st.isFile() ? statSync(full, { throwIfNoEntry: false }) : st;
      if (!real) {
        absent.push(file);
        ops.push({ kind: 'write', path: join(dir, file), data: '' });
        continue;
      }
      const data = readBytes(full)!; // a directory there is an error naming it
      ops.push({ kind: 'write', path: join(dir, file), data, mode: real.mode & 0o7777, mtime: keptMtime(full) });
    }
    applyTransaction(tree, ops);
    return { files, absent };
  });
}

/**
 * The mtime to give the copy (ms), kept to the microsecond: Node sets times to the µs,
 * cutting off a double in seconds that is exact to ~0.25 µs, so it aims at the middle of
 * the µs (quilt's cp -p keeps the ns; diff --snapshot prints the old side's mtime).
 */
function keptMtime(path: string): number {
  const us = statSync(path, { bigint: true }).mtimeNs / 1000n;
  return (Number(us) + 0.5) / 1000;
}

/** `snapshot -d`: remove the snapshot. False when there was none (nothing is written then). */
export function removeSnapshot(tree: Tree): boolean {
  const dir = snapDir(tree);
  if (!lstatSync(dir, { throwIfNoEntry: false })) return false;
  return withLock(tree, () => {
    if (!lstatSync(dir, { throwIfNoEntry: false })) return false;
    applyTransaction(tree, [{ kind: 'rmtree', path: dir }]);
    return true;
  });
}

/** Whether there is a snapshot to diff against (quilt: a .pc/.snap folder). */
export function hasSnapshot(tree: Tree): boolean {
  return statSync(snapDir(tree), { throwIfNoEntry: false })?.isDirectory() ?? false;
}

/** The files a snapshot holds (quilt's find -type f), tree-relative, in byte order. */
export function snapshotFiles(tree: Tree): string[] {
  const out: string[] = [];
  const walk = (d: string, prefix: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name), `${prefix}${e.name}/`);
      else if (e.isFile()) out.push(`${prefix}${e.name}`);
    }
  };
  if (hasSnapshot(tree)) walk(snapDir(tree), '');
  return out.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/**
 * A file as the snapshot has it: null when the snapshot does not hold it; else its bytes
 * (null for a 0-byte file: it was not there), its path (the stamp) and its mode.
 */
export function snapshotEntry(tree: Tree, file: string): { text: string | null; path: string; mode: number } | null {
  const path = join(snapDir(tree), file);
  if (!existsSync(path)) return null;
  const text = readText(path);
  return { text: text === '' ? null : text, path, mode: statSync(path).mode & 0o7777 };
}
