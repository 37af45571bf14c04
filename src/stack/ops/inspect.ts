/**
 * Read-only questions about the working tree and the stack, shared by diff, files,
 * patches, graph, remove and revert (quilt's patchfns helpers, in patchq's terms):
 *   appliedPatch      quilt's find_applied_patch: the named or top patch, applied
 *   filesOrdered      files_in_patch_ordered: the patch file's order, then new ones sorted
 *   nextPatchForFile  the first applied patch above `name` that backs the file up
 *   patchedVersions   the patch applied to its .pc originals, in memory (diff -z, revert)
 *   listFiles         `files [-a] [-v] [--combine P] [PATCH]`
 *   patchesTouching   `patches FILE...`
 * Nothing here writes.
 */
import { join, relative, resolve } from 'node:path';
import { applyPatch, parsePatch } from '../../engine/index.js';
import { PatchqError } from '../../engine/errors.js';
import { normalizeTreePath } from '../../engine/paths.js';
import { findPatch } from '../find.js';
import { displayName, type Tree } from '../layout.js';
import type { SeriesEntry } from '../series.js';
import { loadState } from '../session.js';
import { backedUpFiles, readBackup, readRecord, readText, readBytes } from '../state.js';
import { readTreeFile } from '../files.js';
import { loadPatch } from './push.js';
import { readPatch } from '../patchfile.js';

export interface StackView {
  series: SeriesEntry[];
  applied: string[];
}

/** A file argument (relative to cwd) as a path relative to the tree root, guarded. */
export function treeRelative(tree: Tree, cwd: string, file: string): string {
  return normalizeTreePath(relative(tree.root, resolve(cwd, file)).split('\\').join('/'));
}

/**
 * quilt's find_applied_patch: the named patch (found as quilt's find_patch does: with or
 * without `patches/` and the extension) when it is applied; without a name the top patch.
 */
export function appliedPatch(tree: Tree, view: StackView, name?: string, cwd?: string): string {
  if (name === undefined || name === '') {
    const top = view.applied[view.applied.length - 1];
    if (!top) throw new PatchqError('E_STATE', view.series.length === 0 ? 'No patches in series' : 'No patches applied');
    return top;
  }
  const bare = findPatch(tree, view.series.map((e) => e.name), name, cwd);
  if (!view.applied.includes(bare)) throw new PatchqError('E_STATE', `Patch ${displayName(tree, bare)} is not applied`);
  return bare;
}

/** quilt's find_patch_in_series: like appliedPatch, but an unapplied patch is fine too. */
export function seriesPatch(tree: Tree, view: StackView, name?: string, cwd?: string): string {
  if (name === undefined || name === '') return appliedPatch(tree, view);
  return findPatch(tree, view.series.map((e) => e.name), name, cwd);
}

/** Paths a patch file names (old and new sides), in the patch's order; [] when it has no file. */
export function filenamesInPatch(tree: Tree, entry: SeriesEntry): string[] {
  const text = readPatch(tree, entry.name);
  if (text === null) return [];
  const parsed = parsePatch(text, { strip: entry.strip, fileName: relative(tree.root, join(tree.patchesDir, entry.name)) });
  const out: string[] = [];
  for (const f of parsed.files) for (const p of [f.oldPath, f.newPath]) if (p && !out.includes(p)) out.push(p);
  return out;
}

/** quilt's files_in_patch_ordered: files of an applied patch, in the patch file's order, then the rest sorted. */
export function filesOrdered(tree: Tree, view: StackView, name: string): string[] {
  const backed = backedUpFiles(tree, name);
  const entry = view.series.find((e) => e.name === name);
  const inPatch = entry ? filenamesInPatch(tree, entry).filter((f) => backed.includes(f)) : [];
  return [...new Set([...inPatch, ...backed])];
}

/** Files in .pc per applied patch, each folder walked once (a stack may have hundreds). */
export type BackupIndex = (name: string) => Set<string>;
export function backupIndex(tree: Tree): BackupIndex {
  const cache = new Map<string, Set<string>>();
  return (name) => {
    let set = cache.get(name);
    if (!set) cache.set(name, (set = new Set(backedUpFiles(tree, name))));
    return set;
  };
}

/** The first applied patch above `name` that has the file in .pc, or null. */
export function nextPatchForFile(tree: Tree, view: StackView, name: string, file: string, index: BackupIndex = backupIndex(tree)): string | null {
  const at = view.applied.indexOf(name);
  for (const later of view.applied.slice(at + 1)) if (index(later).has(file)) return later;
  return null;
}

/**
 * What the patch file makes of its .pc originals, per file (null: the file does not exist),
 * computed in memory. Files of `files` the patch file does not name keep their original.
 * Throws E_APPLY naming the patch when the patch does not apply to its own originals
 * (quilt: "Failed to patch temporary files"), unless it was force-applied.
 */
export function patchedVersions(tree: Tree, view: StackView, name: string, files: string[]): Map<string, string | null> {
  const entry = view.series.find((e) => e.name === name)!;
  const rec = readRecord(tree, name);
  const backed = new Set(backedUpFiles(tree, name));
  const original = (f: string): string | null => (backed.has(f) ? readBackup(tree, name, f, rec).text : readTreeFile(tree, f));
  const out = new Map<string, string | null>(files.map((f) => [f, original(f)]));
  if (readBytes(join(tree.patchesDir, name)) === null) return out;
  const parsed = loadPatch(tree, entry);
  const run = applyPatch(parsed, (f) => ({ text: original((f.oldPath ?? f.newPath)!) }), { reverse: entry.reverse, merge: 'none' });
  const forced = readText(join(tree.pcDir, `${name}~refresh`)) !== null;
  run.results.forEach((r, k) => {
    const f = parsed.files[k]!;
    if (r.report.status !== 'ok' && !forced) {
      throw new PatchqError('E_APPLY', `Failed to patch temporary files: patch ${displayName(tree, name)} does not apply to its own originals (${r.report.path})`);
    }
    if (f.kind === 'rename' && f.oldPath && out.has(f.oldPath)) out.set(f.oldPath, null);
    if (out.has(r.report.path)) out.set(r.report.path, r.text);
  });
  return out;
}

export interface FileRow {
  patch: string;
  file: string;
  /** quilt's -v mark: '+' new, '-' removed, ' ' changed. */
  status: '+' | '-' | ' ';
}

/**
 * `files [-a] [--combine P] [PATCH]`: the patches listed (quilt's -a -v heads each one, files
 * or not) and the rows in quilt's order (per patch, files sorted).
 */
export function listFiles(tree: Tree, opts: { patch?: string; all?: boolean; combine?: string; cwd?: string } = {}): { patches: string[]; rows: FileRow[] } {
  const view = loadState(tree);
  const last = seriesPatch(tree, view, opts.patch, opts.cwd);
  let patches = [last];
  if (opts.all || opts.combine !== undefined) {
    const first = opts.combine !== undefined && opts.combine !== '-' ? seriesPatch(tree, view, opts.combine, opts.cwd) : view.applied[0];
    const names = view.series.map((e) => e.name);
    const upTo = names.slice(0, names.indexOf(last) + 1);
    const from = first === undefined ? -1 : upTo.indexOf(first);
    if (from < 0) throw new PatchqError('E_STATE', `Patch ${displayName(tree, first ?? '-')} not applied before patch ${displayName(tree, last)}`);
    patches = upTo.slice(from);
  }
  const rows: FileRow[] = [];
  for (const patch of patches) {
    const applied = view.applied.includes(patch);
    const entry = view.series.find((e) => e.name === patch)!;
    const files = applied ? backedUpFiles(tree, patch) : [...filenamesInPatch(tree, entry)].sort();
    for (const file of files) {
      // quilt's test: a non-empty backup and an empty/absent file is '-'; an empty backup and
      // a non-empty file is '+' (an unapplied patch has no backups, so existing files are '+').
      const backup = applied ? (readText(join(tree.pcDir, patch, file)) ?? '') : '';
      const now = readTreeFile(tree, file) ?? '';
      const status = backup !== '' ? (now === '' ? '-' : ' ') : now !== '' ? '+' : ' ';
      rows.push({ patch, file, status });
    }
  }
  return { patches, rows };
}

export interface PatchTouch {
  name: string;
  state: 'applied' | 'top' | 'unapplied';
}

/** `patches FILE...`: applied patches with the file in .pc, unapplied ones naming it. */
export function patchesTouching(tree: Tree, files: string[]): PatchTouch[] {
  const view = loadState(tree);
  const top = view.applied[view.applied.length - 1];
  const out: PatchTouch[] = [];
  for (const entry of view.series) {
    const applied = view.applied.includes(entry.name);
    const names = applied ? backedUpFiles(tree, entry.name) : filenamesInPatch(tree, entry);
    if (files.some((f) => names.includes(f))) out.push({ name: entry.name, state: entry.name === top ? 'top' : applied ? 'applied' : 'unapplied' });
  }
  return out;
}
