/**
 * diff: the top (or named) patch's changes as refresh would write them, without writing
 * (quilt's `diff`, QUILT.md 2.5 labels):
 *   old side  the .pc original of the first patch in the range that has the file
 *             (-z: the patch applied to its originals in memory, i.e. the last refresh)
 *   new side  the working file, or the backup of the next applied patch that touches the
 *             file ("shadowed": quilt then warns "more recent patches modify files")
 *   -R        swaps the sides; --combine P covers P up to the patch.
 *   --snapshot  the old side is the file in .pc/.snap where the snapshot holds it (else the
 *             .pc original, as without it), over the applied patches up to the patch;
 *             without FILE also every file of the snapshot, first, in name order.
 * Labels by strip level: 1 -> "<dir>.orig/f" / "<dir>/f", 0 -> "f.orig" / "f", ab -> a/ b/.
 */
import { statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { makeFileDiff } from '../../engine/index.js';
import { PatchqError } from '../../engine/errors.js';
import { displayName, type Tree } from '../layout.js';
import { loadState } from '../session.js';
import { backupDir, readBackup, readRecord } from '../state.js';
import { modeOf, readTreeFile, treePath } from '../files.js';
import { appliedPatch, backupIndex, filesOrdered, nextPatchForFile, patchedVersions, type StackView } from './inspect.js';
import { hasSnapshot, snapshotEntry, snapshotFiles } from './snapshot.js';

export interface DiffOptions {
  /** -P: the patch to diff (default: top). */
  patch?: string;
  /** --combine: first patch of the range ('-' = the first applied). */
  combine?: string;
  /** -p: 0, 1 or 'ab' (default: the series entry's level). */
  strip?: string;
  context?: number;
  /** -c / -C N: diff -c's format. */
  contextFormat?: boolean;
  /** -z: changes since the last refresh. */
  sinceRefresh?: boolean;
  /** --snapshot: changes since `snapshot` (quilt's .pc/.snap). */
  snapshot?: boolean;
  reverse?: boolean;
  noTimestamps?: boolean;
  noIndex?: boolean;
  git?: boolean;
  sort?: boolean;
  showFunction?: boolean;
  /** Only these tree-relative files. */
  files?: string[];
  /** Where patch names given are read from (quilt: ../patches/x from a subdirectory). */
  cwd?: string;
}

export interface FileDiff {
  file: string;
  /** The patch whose original is the old side (null under -z, and for a file of the snapshot). */
  from: string | null;
  /** The later patch whose backup is the new side, when shadowed. */
  shadowedBy: string | null;
  diff: string;
}

export interface DiffResult {
  patch: string;
  patches: string[];
  files: FileDiff[];
  text: string;
  /** quilt's stderr lines ("File x is not being modified", the shadow warning). */
  warnings: string[];
}

/**
 * quilt's `date +'%Y-%m-%d %H:%M:%S.%N %z' -r FILE`, in the local zone; null is the epoch
 * stamp of a /dev/null side, undefined is now.
 */
export function quiltStamp(path: string | null | undefined): string {
  if (path === null) return '1970-01-01 00:00:00.000000000 +0000';
  const ns = path === undefined ? BigInt(Date.now()) * 1_000_000n : statSync(path, { bigint: true }).mtimeNs;
  const d = new Date(Number(ns / 1_000_000n));
  const off = -d.getTimezoneOffset();
  const local = new Date(d.getTime() + off * 60_000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const zone = `${off >= 0 ? '+' : '-'}${pad(Math.floor(Math.abs(off) / 60))}${pad(Math.abs(off) % 60)}`;
  const date = `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}`;
  const time = `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`;
  return `${date} ${time}.${String(ns % 1_000_000_000n).padStart(9, '0')} ${zone}`;
}

export function diffPatch(tree: Tree, opts: DiffOptions = {}): DiffResult {
  const view = loadState(tree);
  if ([opts.combine !== undefined, opts.sinceRefresh, opts.snapshot].filter(Boolean).length > 1) {
    throw new PatchqError('E_STATE', "Options `--combine', `--snapshot', and `-z' cannot be combined.");
  }
  const last = appliedPatch(tree, view, opts.patch, opts.cwd);
  const entry = view.series.find((e) => e.name === last)!;
  const strip = opts.strip ?? String(entry.strip);
  if (!['0', '1', 'ab'].includes(strip)) throw new PatchqError('E_STATE', `Cannot diff patches with -p${strip}, please specify -p0, -p1, or -pab instead`);
  if (opts.snapshot && !hasSnapshot(tree)) throw new PatchqError('E_STATE', 'No snapshot to diff against');
  // quilt: --snapshot without FILE covers the snapshot's files and every applied patch up to
  // the patch; with FILE, as without --snapshot, the files of the patch alone.
  const whole = opts.snapshot === true && !(opts.files && opts.files.length > 0);
  const patches = range(tree, view, last, whole ? '-' : opts.combine, opts.cwd);
  let files = [...new Set([...(whole ? snapshotFiles(tree) : []), ...patches.flatMap((p) => filesOrdered(tree, view, p))])];
  if (opts.files && opts.files.length > 0) files = files.filter((f) => opts.files!.includes(f));
  if (opts.sort) files.sort();
  const warnings: string[] = [];
  const index = backupIndex(tree);
  const sinceRefresh = opts.sinceRefresh ? patchedVersions(tree, view, last, files) : null;
  const dir = basename(tree.root);
  const out: FileDiff[] = [];
  let shadowed = false;
  for (const file of files) {
    const snap = opts.snapshot ? snapshotEntry(tree, file) : null;
    const from = sinceRefresh || snap ? null : (patches.find((p) => index(p).has(file)) ?? null);
    if (!sinceRefresh && !snap && !from) {
      // quilt says nothing of such a file under --snapshot.
      if (!opts.snapshot) warnings.push(`File ${file} is not being modified`);
      continue;
    }
    // -z: quilt's old side is a temp file made just now (path null: stamped now).
    const old: Side = snap ?? (sinceRefresh ? { text: sinceRefresh.get(file) ?? null, path: null, mode: undefined } : backupSide(tree, from!, file));
    const later = nextPatchForFile(tree, view, last, file, index);
    if (later) shadowed = true;
    const now: Side = later ? backupSide(tree, later, file) : { text: readTreeFile(tree, file), path: treePath(tree, file), mode: modeOf(tree, file) ?? undefined };
    const sides = opts.reverse ? reversed(old, now) : forward(old, now);
    const diff = fileDiff(file, sides, { ...opts, strip, dir });
    if (diff !== '') out.push({ file, from, shadowedBy: later, diff });
  }
  if (shadowed) warnings.push(`Warning: more recent patches modify files in patch ${displayName(tree, last)}`);
  return { patch: last, patches, files: out, text: out.map((f) => f.diff).join(''), warnings };
}

/** The patch alone, or with --combine the applied patches from `first` ('-': the bottom one) up to it. */
function range(tree: Tree, view: StackView, last: string, first: string | undefined, cwd?: string): string[] {
  if (first === undefined) return [last];
  const upTo = view.applied.slice(0, view.applied.indexOf(last) + 1);
  const start = first === '-' ? upTo[0]! : appliedPatch(tree, view, first, cwd);
  const from = upTo.indexOf(start);
  if (from < 0) throw new PatchqError('E_STATE', `Patch ${displayName(tree, start)} not applied before patch ${displayName(tree, last)}`);
  return upTo.slice(from);
}

/** One side of a file diff: its bytes (null: absent), the file it was read from, its mode. */
interface Side {
  text: string | null;
  path: string | null;
  mode: number | undefined;
}

function backupSide(tree: Tree, patch: string, file: string): Side {
  const b = readBackup(tree, patch, file, readRecord(tree, patch));
  return { text: b.text, path: join(backupDir(tree, patch), file), mode: b.mode };
}

const stampOf = (s: Side): string => quiltStamp(s.text === null ? null : (s.path ?? undefined));

function forward(old: Side, now: Side): Sides {
  return { oldText: old.text, newText: now.text, oldStamp: stampOf(old), newStamp: stampOf(now), oldMode: old.mode, newMode: now.mode };
}

/**
 * quilt's diff_file after -R swapped the files: an empty old side is /dev/null (-s), but
 * the new side is /dev/null only when the file is missing (-e), and a backup always
 * exists, so a created file reverses to "+++ dir/f" with no lines. A file added to the
 * patch and not there (nor in the backup) is /dev/null against an empty file: no diff.
 */
function reversed(old: Side, now: Side): Sides {
  const oldText = now.text === '' ? null : now.text;
  const newText = old.text ?? (old.path !== null && now.text !== null ? '' : null);
  return {
    oldText,
    newText,
    oldStamp: oldText === null ? quiltStamp(null) : stampOf(now),
    newStamp: newText === null ? quiltStamp(null) : quiltStamp(old.path ?? undefined),
    oldMode: now.mode,
    newMode: old.mode,
  };
}

interface Sides {
  oldText: string | null;
  newText: string | null;
  oldStamp: string;
  newStamp: string;
  oldMode: number | undefined;
  newMode: number | undefined;
}

const gitMode = (m: number) => `100${m.toString(8).padStart(3, '0')}`;

function fileDiff(file: string, s: Sides, o: DiffOptions & { strip: string; dir: string }): string {
  const git = o.git === true;
  let labels: { oldLabel?: string; newLabel?: string } = {};
  if (!git) {
    if (o.strip === 'ab') labels = { oldLabel: `a/${file}`, newLabel: `b/${file}` };
    // quilt -p0: a deleted file's old label is the bare name (diff_file: old_hdr=$new_hdr).
    else if (o.strip === '0') labels = { oldLabel: s.newText === null ? file : `${file}.orig`, newLabel: file };
    else labels = { oldLabel: `${o.dir}.orig/${file}`, newLabel: `${o.dir}/${file}` };
  }
  const modes = s.oldText !== null && s.newText !== null && s.oldMode !== undefined && s.newMode !== undefined && s.oldMode !== s.newMode;
  return makeFileDiff(s.oldText, s.newText, {
    oldPath: file,
    newPath: file,
    style: git ? 'git' : 'quilt',
    context: o.context ?? 3,
    ...(o.contextFormat ? { format: 'context' as const } : {}),
    indexLine: !o.noIndex,
    showFunction: o.showFunction ?? false,
    ...labels,
    ...(modes ? { oldMode: gitMode(s.oldMode!), newMode: gitMode(s.newMode!) } : {}),
    ...(o.noTimestamps || git ? {} : { oldTime: s.oldStamp, newTime: s.newStamp }),
  });
}
