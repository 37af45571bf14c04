/**
 * rename: give a patch a new name everywhere it is named (quilt's `rename [-P PATCH] NEW`):
 *   patches/series            the line is edited in place (options and comments kept)
 *   patches/<name>            the patch file
 *   .pc/applied-patches       when applied, and .pc/<name>/ (backups, .timestamp),
 *   .pc/<name>~refresh        quilt's needs-refresh marker
 *   .pc/.patchq/patch/<name>.json            patchq's record
 *   .pc/.patchq/reapply.json + reapply/<run>/old/<name>   a stopped reapply run
 * all in one transaction. The transaction has no "move", so files are written under the
 * new name (modes and mtimes kept: quilt's pop check compares files with .timestamp, and
 * patchq's record holds only while .timestamp keeps the mtime its push gave it) and the
 * old ones removed.
 */
import { existsSync, lstatSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { PatchqError } from '../../engine/errors.js';
import { displayName, type Tree } from '../layout.js';
import { checkNesting, checkPatchName, parseSeries, renameEntry } from '../series.js';
import { loadState } from '../session.js';
import { appliedOp, backupDir, readRecord, readText, recordOp, refreshMarker, dropRecordOp, readBytes } from '../state.js';
import type { FileOp } from '../transaction.js';
import { fileJson } from '../json.js';
import { checkedThenLocked, patchOrTop } from './header.js';
import { assertPatchPathInside, readPatch, writePatchOp, compressionOf, writeSeriesOp } from '../patchfile.js';

export interface RenameResult {
  from: string;
  to: string;
  applied: boolean;
  message: string;
}

/**
 * `fork`: the top patch goes on under a new name (series, .pc), and its file stays as it
 * is under the old name, for a series elsewhere that still uses it (quilt's fork). NEW
 * defaults to the name with -2 before the extension (-3 after a -2, and so on).
 */
export function forkPatch(tree: Tree, newName: string | undefined, cwd?: string): RenameResult {
  const { series, applied } = loadState(tree);
  // Nothing applied: quilt's words for it (an empty series says so).
  const top = patchOrTop(tree, series, applied, undefined, cwd);
  return renamePatch(tree, undefined, newName ?? nextForkName(top), cwd, { fork: true });
}

export function nextForkName(name: string): string {
  const m = /^(.*?)(?:-(\d+))?(\.[^./]+)?$/.exec(name)!;
  return `${m[1]}-${m[2] ? Number(m[2]) + 1 : 2}${m[3] ?? ''}`;
}

export function renamePatch(tree: Tree, given: string | undefined, newName: string, cwd?: string, opts: { fork?: boolean } = {}): RenameResult {
  return checkedThenLocked(tree, () => {
    const { series, applied } = loadState(tree);
    const from = patchOrTop(tree, series, applied, given, cwd);
    const to = newName.startsWith(`${tree.patchesName}/`) ? newName.slice(tree.patchesName.length + 1) : newName;
    checkPatchName(to, tree.seriesName);
    if (existsSync(tree.patchesDir)) assertPatchPathInside(tree, to, true);
    if (to.startsWith(`${from}/`) || from.startsWith(`${to}/`)) throw new PatchqError('E_USAGE', `Patch name '${to}' invalid: a patch cannot be renamed into its own path`);
    checkNesting(to, series.filter((e) => e.name !== from).map((e) => e.name), (n) => displayName(tree, n));
    if (series.some((e) => e.name === to) || existsSync(backupDir(tree, to)) || existsSync(join(tree.patchesDir, to))) {
      throw new PatchqError('E_EXISTS', `Patch ${displayName(tree, to)} exists already, please choose a different name`);
    }
    const ops: FileOp[] = [];
    const isApplied = applied.includes(from);
    if (isApplied) {
      ops.push(...moveTree(backupDir(tree, from), backupDir(tree, to)));
      ops.push(appliedOp(tree, applied.map((n) => (n === from ? to : n))));
      const marker = readText(refreshMarker(tree, from));
      if (marker !== null) ops.push({ kind: 'write', path: refreshMarker(tree, to), data: marker }, { kind: 'delete', path: refreshMarker(tree, from) });
    }
    const rec = readRecord(tree, from);
    if (rec) ops.push(recordOp(tree, to, rec), dropRecordOp(tree, from));
    ops.push(writeSeriesOp(tree, renameEntry(readText(tree.seriesPath) ?? '', series, from, to)));
    const patchPath = join(tree.patchesDir, from);
    // The bytes move as they are; a name with another compression (x.diff -> x.diff.gz) gets
    // the text compressed as the new name asks.
    const bytes = readBytes(patchPath);
    const toPath = join(tree.patchesDir, to);
    if (bytes !== null && !opts.fork && compressionOf(from) === compressionOf(to) && linkStaysValid(patchPath, toPath)) {
      // A patch file that is a symlink (to a patch kept elsewhere) moves as the link, as
      // quilt's mv moves it (a copy op from a path the same transaction removes is a link).
      ops.push({ kind: 'copy', path: toPath, from: patchPath }, { kind: 'delete', path: patchPath });
    } else if (bytes !== null) {
      const mode = statSync(patchPath).mode & 0o7777;
      ops.push(compressionOf(from) === compressionOf(to) ? { kind: 'write', path: join(tree.patchesDir, to), data: bytes, mode } : writePatchOp(tree, to, readPatch(tree, from)!, mode));
      if (!opts.fork) ops.push({ kind: 'delete', path: patchPath });
    }
    ops.push(...reapplyOps(tree, from, to));
    const message = opts.fork ? `Fork of patch ${displayName(tree, from)} created as ${displayName(tree, to)}` : `Patch ${displayName(tree, from)} renamed to ${displayName(tree, to)}`;
    return { ops, result: { from, to, applied: isApplied, message } };
  });
}

/**
 * `path` is a symlink that, moved to `to`, still leads where it leads now: its target is
 * absolute, or it stays in its folder. A relative link moved to another folder would
 * dangle there (quilt's mv makes it so, and the patch is then missing): that one is
 * written as a plain file of its target's bytes instead.
 */
function linkStaysValid(path: string, to: string): boolean {
  if (!lstatSync(path).isSymbolicLink()) return false;
  return isAbsolute(readlinkSync(path)) || dirname(path) === dirname(to);
}

/** `dst` made, every file under `src` written under it (modes kept), then `src` removed. */
function moveTree(src: string, dst: string): FileOp[] {
  const ops: FileOp[] = [];
  if (!existsSync(src)) return ops;
  // The folder itself first: a patch with no file yet has an empty one (quilt's new makes it so).
  ops.push({ kind: 'mkdir', path: dst });
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      const st = lstatSync(p);
      if (st.isDirectory()) walk(p, `${rel}${e}/`);
      else ops.push({ kind: 'write', path: join(dst, rel + e), data: readText(p)!, mode: st.mode & 0o7777, mtime: st.mtimeMs });
    }
  };
  walk(src, '');
  ops.push({ kind: 'rmtree', path: src });
  return ops;
}

interface RunStateLike {
  runId?: string;
  seriesText?: string;
  pushedByRun?: string[];
  poppedFirst?: string[];
  stoppedAt?: string | null;
  outcomes?: Array<{ name: string; oldCopy?: string }>;
}

/**
 * A stopped reapply run names patches in .pc/.patchq/reapply.json and keeps their old
 * texts in .pc/.patchq/reapply/<run>/old/<name>: rename there too, or --abort/--continue
 * would look for a patch that is no longer there. Read as plain JSON (the reapply layer
 * sits above the stack); only the name-bearing fields are touched.
 */
function reapplyOps(tree: Tree, from: string, to: string): FileOp[] {
  const path = join(tree.sideDir, 'reapply.json');
  const text = readText(path);
  if (text === null) return [];
  let st: RunStateLike;
  try {
    st = JSON.parse(text) as RunStateLike;
  } catch {
    throw new PatchqError('E_STATE', `cannot rename ${from}: the reapply state is unreadable`, { file: path });
  }
  const swap = (n: string) => (n === from ? to : n);
  if (st.pushedByRun) st.pushedByRun = st.pushedByRun.map(swap);
  if (st.poppedFirst) st.poppedFirst = st.poppedFirst.map(swap);
  if (st.stoppedAt) st.stoppedAt = swap(st.stoppedAt);
  const oldDir = st.runId ? join(tree.sideDir, 'reapply', st.runId, 'old') : null;
  const relOld = (n: string) => (oldDir ? relative(tree.root, join(oldDir, n)) : '');
  for (const o of st.outcomes ?? []) {
    if (o.name !== from) continue;
    o.name = to;
    if (o.oldCopy && o.oldCopy === relOld(from)) o.oldCopy = relOld(to);
  }
  if (st.seriesText !== undefined) {
    const entries = parseSeries(st.seriesText);
    if (entries.some((e) => e.name === from)) st.seriesText = renameEntry(st.seriesText, entries, from, to);
  }
  const ops: FileOp[] = [{ kind: 'write', path, data: fileJson(st, 1) }];
  const oldCopy = oldDir ? readText(join(oldDir, from)) : null;
  if (oldDir && oldCopy !== null) ops.push({ kind: 'write', path: join(oldDir, to), data: oldCopy }, { kind: 'delete', path: join(oldDir, from) });
  return ops;
}
