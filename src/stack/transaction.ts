/**
 * THE one transaction shape. Every stack mutation (push, pop, refresh, new, add, delete,
 * rename, fold, import, reapply...) is a list of FileOps computed fully in memory first
 * ("check everything, then write"), then run as a redo log with an undo area:
 *
 *   0. check   every path stays in the tree (or patches/, .pc/, the series file), no
 *              directory on the way is a file, no file target is a directory   -> refuse
 *              (what an earlier rmtree of the same transaction removes counts as gone:
 *              a folder emptied and filled again is made again, and a roll-back takes
 *              the new one away before it puts the old one back)
 *   1. stage   every new content as .pc/.patchq/tx/<n>           (nothing visible changed;
 *              a copy op stages a hard link where that is safe: no data written)
 *              A new file in .pc/ (a pushed patch's backups, its .timestamp, its record)
 *              is written at its place instead: no reader takes .pc/<patch>/ for state
 *              before applied-patches names the patch, nor a record before its patch is
 *              applied, and a rename per file was a tenth of a push -a's time on ext4
 *              with a journal. tx/fresh.json lists those files, and the folders made for
 *              them, before the first is made; the commit's first step removes it.
 *   2. commit  write .pc/.patchq/tx/manifest.json (fsync with PATCHQ_FSYNC=1) <- the commit point
 *   3. apply   each op in order, two renames per op:
 *                aside  the old target (file or dir) -> tx/undo/<n>   (nothing when absent;
 *                       directories a write creates are listed in its manifest op)
 *                place  write: rename(staged, target); delete / rmtree: nothing more
 *   4. done    remove the manifest (the transaction is over), then the rest of
 *              .pc/.patchq/tx (with the set-aside originals)
 *
 * A target on another mount than the staging area (QUILT_PC or QUILT_PATCHES elsewhere, a
 * mount inside the tree) cannot be renamed to or from it: such a `near` op stages as any,
 * then copies its staged file into the target's own folder and works there (nearPaths).
 * Found by device number when planned, or by a rename failing with EXDEV (a bind mount):
 * then the transaction is rolled back and run once more with every target outside .pc near.
 *
 * The staging area is made from a pool of spare inodes, and what step 4 would free goes
 * back to it (spares.ts: making files is what costs on ext4 without a journal). A staged
 * file may so have a spare's name; the manifest names it as it names any. The pool is
 * outside the journal: recovery and the drop of a staging area do without it.
 *
 * Failure in step 3 (disk full, a read-only or immutable file, a directory in the way):
 * the manifest is renamed rollback.json, every op done so far is undone from tx/undo in
 * reverse order, and the command fails with E_IO "... (rolled back; nothing was changed)".
 *
 * Recovery (recoverTransaction, run under the lock before any command reads state):
 *   manifest present      -> roll forward: redo every op; each half of an op checks
 *                            whether it already happened (staged file gone = placed,
 *                            undo entry present = set aside), so redoing is idempotent;
 *                            if rolling forward fails, roll back from tx/undo instead
 *   rollback.json present -> a roll-back was cut short: finish it (each undo step checks
 *                            whether it already happened; a write whose target existed
 *                            and has no set-aside original left was put back already)
 *   tx dir, no manifest   -> the crash came before the commit point, or after the end
 *                            (the manifest goes first): delete it, and what its
 *                            near.json and fresh.json list (fresh.json is gone before
 *                            the manifest is: after the commit point it lists nothing)
 * So `kill -9` at any moment leaves either the old state or the new one, and the next
 * command finishes the job: the stack never lies about what is applied.
 *
 * Test hook (docs/reliability.md): PATCHQ_CRASH_AT=n SIGKILLs the process right after
 * the n-th step: each staged file, the commit, each set-aside, each copy of a near op into
 * its target's folder, each placement, each op a roll-back undoes, the end;
 * PATCHQ_CRASH_AT=count prints `patchq-steps: N` on exit instead. PATCHQ_FAIL_APPLY_AT=n
 * makes the n-th op of step 3 fail with EIO (the roll-back path).
 */
import { chmodSync, constants, copyFileSync, existsSync, linkSync, lstatSync, mkdirSync, readFileSync, readlinkSync, renameSync, rmdirSync, rmSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, normalize, relative, sep } from 'node:path';
import type { Stats } from 'node:fs';
import { writeFileAtomic, fsyncDir, maybeFailWrite, mkdirp } from '../fsx/atomic.js';
import { assertParentsInside } from '../fsx/guard.js';
import { removeTree } from '../fsx/remove.js';
import { Spares } from './spares.js';
import { fileJson } from './json.js';
import { PatchqError, reasonFor } from '../engine/errors.js';
import type { Tree } from './layout.js';

export type FileOp =
  /**
   * Write bytes (latin1 string or Buffer) to an absolute path, with a mode (default 0o644)
   * and, when given, a modification time (ms; quilt keeps it when it breaks a hard link).
   * `inPlace`: into the file that is there, its inode (its mode and its other names, a hard
   * link, kept), as quilt's `cat > series` writes the series file; the old bytes are copied
   * into the undo area first, so a roll-back or the next command after a kill writes them
   * back (or the new ones again): the journal's all-or-nothing, not the rename's atomic swap.
   */
  | { kind: 'write'; path: string; data: string | Buffer; mode?: number; mtime?: number; inPlace?: true }
  /**
   * Put at `path` the bytes and mode of the file `from` as it is when the transaction
   * starts (a .pc backup on push, the restore from one on pop). A hard link, made when the
   * op runs (no data written, nothing staged that shares an inode), when a LATER op of this
   * transaction replaces or removes `from` (and no earlier one): then the file moves rather
   * than gets shared, so this transaction makes no two paths share an inode (an edit in
   * place of one would change the other). A link the user made (`from` has nlink > 1) goes
   * with the file, as quilt keeps it: the backup stays linked to the user's other name, and
   * pop brings the link back. A symlink `from` (a patch file linked to one kept elsewhere)
   * is linked as the link itself, so the link moves, as quilt's mv moves it (it cannot be
   * staged). Otherwise a copy, staged. `touch`: mtime now, as a write
   * would give (quilt's pop touches what it restores, so make rebuilds it).
   */
  | { kind: 'copy'; path: string; from: string; touch?: boolean }
  | { kind: 'delete'; path: string }
  /** Remove a directory tree (a patch's .pc folder). */
  | { kind: 'rmtree'; path: string }
  /**
   * A directory, with the folders above it, when it is not there (an empty folder quilt
   * reads: the .pc/.snap of a snapshot with no file). A roll-back removes what it made.
   */
  | { kind: 'mkdir'; path: string };

interface ManifestOp {
  /**
   * A copy op is journalled as a `link` (made when it runs) or as a write of its staged
   * copy (the mode then comes with it).
   */
  kind: Exclude<FileOp['kind'], 'copy'> | 'link';
  /** Relative to the tree root. */
  path: string;
  staged?: string;
  /**
   * link: the file linked from (relative), fresh mtime. link and write: whether `path`
   * existed when the transaction was planned (a fresh run looks only where it did, or
   * where an earlier op put a file; a redo always looks).
   */
  from?: string;
  existed?: boolean;
  touch?: boolean;
  /** Absent for a staged copy or link: the staged file already has its mode. */
  mode?: number;
  /** Directories (relative, deepest first) this write creates: a roll-back removes them. */
  dirs?: string[];
  /**
   * The target is on another file system (or mount) than the staging area, where a rename
   * from it fails (EXDEV): the op works in the target's own folder (see nearPaths).
   */
  near?: true;
  /** A write into the target's inode (FileOp's inPlace): its set-aside is a copy. Never near: it renames nothing. */
  inPlace?: true;
  /**
   * A write of a new file in .pc/ made at its place before the commit point (step 1): it is
   * there once the manifest is. No `staged`; a roll-back removes it.
   */
  direct?: true;
}

const txDir = (tree: Tree) => join(tree.sideDir, 'tx');
const undoDir = (tree: Tree) => join(txDir(tree), 'undo');
/** What step 1 wrote at its place (tx/fresh.json), for whoever drops a transaction before its commit point. */
const freshList = (tree: Tree) => join(txDir(tree), 'fresh.json');
interface Fresh {
  /** Relative to the tree root. */
  files: string[];
  /** Made in this order (top down). */
  dirs: string[];
}

/**
 * Where op i of a `near` op works, in the target's own folder (a rename there never
 * crosses a mount): its staged file is copied to `tmp` and renamed over the target from
 * there, and the old target is set aside as `undo`. T/near.json lists them all before the
 * commit point, so whatever the transaction's end (done, rolled back, cut short) they go
 * with the staging area.
 */
const nearPaths = (target: string, i: number) => ({ tmp: join(dirname(target), `.patchq-tx.${i}`), undo: join(dirname(target), `.patchq-undo.${i}`) });
const NEAR_NAME = /^\.patchq-(tx|undo)\.\d+$/;

let crashCounter = 0;
let countingSteps = false;
function maybeCrash(): void {
  const at = process.env.PATCHQ_CRASH_AT;
  if (at === undefined) return;
  ++crashCounter;
  if (at === 'count' && !countingSteps) {
    // PATCHQ_CRASH_AT=count: print how many steps the command ran (to size a crash sweep).
    countingSteps = true;
    process.on('exit', () => process.stderr.write(`patchq-steps: ${crashCounter}\n`));
  }
  if (crashCounter === Number(at)) process.kill(process.pid, 'SIGKILL');
}

/** Test hook PATCHQ_FAIL_APPLY_AT=n: the n-th op of step 3 fails with EIO (disk full, I/O error). */
let failCounter = 0;
function maybeFail(): void {
  const at = process.env.PATCHQ_FAIL_APPLY_AT;
  if (at !== undefined && ++failCounter === Number(at)) {
    const e = new Error('EIO: injected failure while applying (PATCHQ_FAIL_APPLY_AT)') as NodeJS.ErrnoException;
    e.code = 'EIO';
    throw e;
  }
}

// No exception for a missing path: a push checks hundreds, and an Error costs more than the lstat.
// (ENOTDIR, a file where a folder of the path should be, still throws: also "nothing there".)
const lstatOrNull = (p: string) => {
  try {
    return lstatSync(p, { throwIfNoEntry: false }) ?? null;
  } catch {
    return null;
  }
};
const lexists = (p: string): boolean => lstatOrNull(p) !== null;

/** p is base or below it. Both absolute and normalised. */
const within = (base: string, p: string): boolean => p === base || p.startsWith(base.endsWith(sep) ? base : base + sep);

/** relative(root, p) for a normalised absolute p; the quick way when p is below root. */
const relTo = (root: string, p: string): string => (p.startsWith(root + sep) ? p.slice(root.length + 1) : relative(root, p));

const NOT_NORMAL = /\/\/|\/\.\.?(\/|$)|.\/$/;
/** path.normalize(abs), without its work for an absolute path that is normal already. */
export const normalAbs = (abs: string): string => (abs.startsWith('/') && !NOT_NORMAL.test(abs) ? abs : normalize(abs));

/**
 * Where a transaction may write: the tree, and patches/ and .pc/ wherever QUILT_PATCHES
 * and QUILT_PC put them, and the series file (QUILT_SERIES may be absolute). Returns the
 * path normalised.
 */
function checkAllowed(tree: Tree, abs: string, code: 'E_PATH_OUTSIDE' | 'E_STATE'): string {
  // Normalised once here (a `..` cannot slip through); the checks after it compare prefixes.
  // (An absolute path without "//", "/./", "/../" or a trailing "/" is normal already:
  // path.normalize was most of this check's time, over a push -a's ~800 ops.)
  const q = normalAbs(abs);
  if (abs.includes('\0') || !(within(tree.root, q) || within(tree.patchesDir, q) || within(tree.pcDir, q) || abs === tree.seriesPath)) {
    throw new PatchqError(code, `refusing to write '${abs}': it is outside the tree (${tree.root})`);
  }
  return q;
}

/** lstat each path once while a transaction is checked and staged (nothing on disk changes meanwhile). */
type StatMemo = (p: string) => Stats | null;
function statMemo(): StatMemo {
  const seen = new Map<string, Stats | null>();
  return (p) => {
    let st = seen.get(p);
    if (st === undefined) {
      // In a folder known to be missing (a new .pc/<patch>/...) nothing is there: no call.
      st = seen.get(dirname(p)) === null ? null : lstatOrNull(p);
      seen.set(p, st);
    }
    return st;
  };
}

/** The trees earlier rmtree ops of a transaction remove: `has(p)` for p at or below one. */
function removedTrees(): { add(p: string): void; has(p: string): boolean } {
  const trees: string[] = [];
  return {
    add: (p) => void trees.push(p),
    has: (p) => trees.length > 0 && trees.some((t) => within(t, p)),
  };
}

/**
 * Refuse, before anything is written, what would fail halfway: a file where a directory
 * must go, a directory where a file must go, a symlinked directory leading out of the tree.
 */
function preflight(tree: Tree, ops: FileOp[], statOnDisk: StatMemo): void {
  // A push writes many files into few folders: each folder is checked once (its area, the
  // links on its way, the first existing folder above it being a folder).
  const folders = new Map<string, { parent: Stats | null; writable?: true }>();
  const walked = new Set<string>();
  // Below an earlier rmtree nothing is there any more when the op runs.
  const removed = removedTrees();
  const stat: StatMemo = (p) => (removed.has(p) ? null : statOnDisk(p));
  for (const op of ops) {
    // Ops are made with join(), so their paths are normalised (the prefix checks below rely
    // on it); one that is not is refused.
    if (checkAllowed(tree, op.path, 'E_PATH_OUTSIDE') !== op.path) throw new PatchqError('E_PATH_OUTSIDE', `refusing to write '${op.path}': not a normalised path`);
    if (op.kind === 'copy') checkAllowed(tree, op.from, 'E_PATH_OUTSIDE');
    const dir = dirname(op.path);
    let folder = folders.get(dir);
    if (!folder) {
      // Symlinked directories on the way must stay inside the area the path belongs to
      // (patches/ itself may be a link, e.g. to debian/patches: only what is below counts).
      // Below patches/, the tree too: patches/sub -> ../kept/sub keeps patches elsewhere in
      // the tree, as a linked patch file may (patchfile.ts's writeTarget).
      const area = [tree.pcDir, tree.patchesDir, tree.root].find((b) => within(b, op.path));
      // Only folders that exist can be links: the walk starts from the deepest one there.
      let deepest = dir;
      while (area && deepest !== area && within(area, deepest) && !stat(deepest)) deepest = dirname(deepest);
      const key = `${area}\0${deepest}`;
      if (area && !walked.has(key)) {
        try {
          assertParentsInside(area, relative(area, op.path));
        } catch (e) {
          if (area !== tree.patchesDir || !within(tree.root, op.path)) throw e;
          try {
            assertParentsInside(tree.root, relative(tree.root, op.path));
          } catch {
            throw e; // named as from patches/
          }
        }
        walked.add(key);
      }
      folder = { parent: stat(dir) };
      folders.set(dir, folder);
    }
    if (op.kind === 'rmtree') {
      removed.add(op.path);
      for (const d of folders.keys()) if (removed.has(d)) folders.delete(d);
      continue;
    }
    const parent = folder.parent;
    const st = parent && (parent.isDirectory() || parent.isSymbolicLink()) ? stat(op.path) : null;
    if (op.kind === 'mkdir' && st && !st.isDirectory()) {
      throw new PatchqError('E_IO', `cannot make the folder ${relative(tree.root, op.path)}: a file is there (nothing was changed)`);
    }
    if (st?.isDirectory() && op.kind !== 'mkdir') {
      throw new PatchqError('E_IO', `cannot ${op.kind} ${relative(tree.root, op.path)}: it is a directory (nothing was changed)`);
    }
    if (op.kind !== 'delete' && !st && !folder.writable) {
      for (let d = dir; d !== dirname(d); d = dirname(d)) {
        const ds = stat(d);
        if (!ds) continue; // will be created
        if (!ds.isDirectory() && !ds.isSymbolicLink()) {
          throw new PatchqError('E_IO', `cannot write ${relative(tree.root, op.path)}: ${relative(tree.root, d)} is not a directory (nothing was changed)`);
        }
        break;
      }
      folder.writable = true;
    }
  }
}

/**
 * How many transactions this process has written, or found interrupted and finished or
 * dropped: none means the command changed nothing (stack/session.ts then takes back the
 * metadata it wrote for its lock). One rolled back after a failure is not counted.
 */
let written = 0;
export const transactionsWritten = (): number => written;

export function applyTransaction(tree: Tree, ops: FileOp[]): void {
  if (ops.length === 0) return;
  try {
    applyOnce(tree, ops, false);
  } catch (e) {
    // A rename crossed a mount that shares its device number with the staging area's (a
    // bind mount, a symlinked folder): rolled back whole, and run again with every target
    // outside .pc/ worked on in its own folder.
    if (!(e instanceof CrossedMount)) throw e;
    applyOnce(tree, ops, true);
  }
  written++;
}

/** Thrown by applyOnce after a roll-back that a rename failing with EXDEV caused. */
class CrossedMount extends Error {}

function applyOnce(tree: Tree, ops: FileOp[], nearAll: boolean): void {
  const dir = txDir(tree);
  if (existsSync(dir)) recoverTransaction(tree);
  const statOnDisk = statMemo();
  preflight(tree, ops, statOnDisk);
  // What is there when each op runs: an earlier rmtree of this transaction took its tree away.
  const removed = removedTrees();
  const stat: StatMemo = (p) => (removed.has(p) ? null : statOnDisk(p));
  // Targets on another file system than the staging area (QUILT_PC or QUILT_PATCHES
  // elsewhere, a tree with a mount in it) cannot be renamed to or from it: `near` ops.
  const devOf = (p: string): number | undefined => {
    for (let d = dirname(p); ; d = dirname(d)) {
      const st = stat(d);
      if (st) return st.dev;
      if (d === dirname(d)) return undefined;
    }
  };
  // The staging area's (.pc/.patchq is there once the lock is taken; where it is not yet,
  // as for a caller that takes none, the area is made in the nearest folder that is).
  const txDev = devOf(join(tree.sideDir, 'tx'));
  const isNear = (p: string): boolean => !within(tree.pcDir, p) && (nearAll || devOf(p) !== txDev);
  const nearList: string[] = [];
  // What this transaction writes: a near name that is one of them would be taken from it.
  let targets: Set<string> | undefined;
  const spares = new Spares(tree);
  // Written at their place (see step 1), unless a pool of spare inodes is in use: then a
  // staged file is a spare, which is what pays on a file system without a journal.
  const direct = durable() || spares.pooled ? new Set<number>() : directWrites(tree, ops, stat);
  const fresh: Fresh = { files: [], dirs: [] };
  const manifest: ManifestOp[] = [];
  // Directories the writes will create, known before the commit point, so the manifest
  // itself says what a roll-back removes (no record file per op).
  const planned = new Set<string>();
  const dirsFrom = (first: string): string[] => {
    const missing: string[] = [];
    for (let d = first; !planned.has(d) && !stat(d); d = dirname(d)) missing.push(d);
    for (const d of missing) planned.add(d);
    return missing.map((d) => relTo(tree.root, d));
  };
  const dirsFor = (target: string): string[] => dirsFrom(dirname(target));
  const firstChange = firstChanges(ops);
  // What is being staged (an op, then the journal), for the message when that fails.
  let staging: { kind: string; path: string } | undefined;
  try {
    ops.forEach((op, i) => {
      staging = op;
      const rel = relTo(tree.root, op.path);
      // A mkdir renames nothing: it never crosses a mount.
      const near = op.kind !== 'mkdir' && !(op.kind === 'write' && op.inPlace) && isNear(op.path) ? ({ near: true } as const) : {};
      if (near.near) {
        targets ??= new Set(ops.map((o) => o.path));
        for (const p of Object.values(nearPaths(op.path, i))) {
          // A name of the user's own there (or one this transaction makes) is never written
          // over or removed.
          if (stat(p) || targets.has(p)) throw new PatchqError('E_IO', `cannot ${op.kind} ${rel}: ${relTo(tree.root, p)} is in the way (nothing was changed)`);
          nearList.push(relTo(tree.root, p));
        }
      }
      if (op.kind === 'rmtree') {
        for (const d of planned) if (d === op.path || d.startsWith(`${op.path}/`)) planned.delete(d);
        // The tree stays on disk until the op runs: ops after it see it gone.
        manifest.push({ kind: 'rmtree', path: rel, ...near });
        removed.add(op.path);
      } else if (op.kind === 'mkdir') {
        const dirs = dirsFrom(op.path);
        manifest.push({ kind: 'mkdir', path: rel, ...(dirs.length ? { dirs } : {}) });
      } else if (op.kind === 'copy' && linkable(stat(op.from), i, firstChange(op.from))) {
        const dirs = dirsFor(op.path);
        const existed = stat(op.path) !== null;
        manifest.push({ kind: 'link', path: rel, from: relTo(tree.root, op.from), existed, ...(op.touch ? { touch: true } : {}), ...(dirs.length ? { dirs } : {}), ...near });
      } else if (op.kind === 'write' && direct.has(i)) {
        const mode = op.mode ?? 0o644;
        if (fresh.files.length === 0) {
          // The list first, whole, before anything it names exists (a list cut short by a
          // crash names nothing made). Not renamed into place: a torn one is read as none.
          const listed = new Set<string>();
          for (const j of direct) {
            fresh.files.push(relTo(tree.root, ops[j]!.path));
            const missing: string[] = [];
            for (let d = dirname(ops[j]!.path); !stat(d) && !listed.has(d) && d !== dirname(d); d = dirname(d)) missing.push(d);
            for (const d of missing.reverse()) {
              listed.add(d);
              fresh.dirs.push(relTo(tree.root, d));
            }
          }
          writeFileAtomic(freshList(tree), fileJson(fresh), { sync: false, direct: true });
          for (const d of fresh.dirs) mkdirOnce(join(tree.root, d));
        }
        writeFileAtomic(op.path, op.data, { sync: false, direct: true, mode });
        if (op.mtime !== undefined) utimesSync(op.path, op.mtime / 1000, op.mtime / 1000);
        const dirs = dirsFor(op.path);
        manifest.push({ kind: 'write', path: rel, direct: true, existed: false, mode, ...(dirs.length ? { dirs } : {}) });
        maybeCrash();
      } else if (op.kind === 'write' || op.kind === 'copy') {
        let mode: number | undefined;
        let staged: string;
        if (op.kind === 'write') {
          // Not fsynced one by one (that costs ~30 ms per file on a VM disk): kill -9 safety
          // needs none, and the directory fsync below orders them before the manifest.
          // Staged with its mode; the manifest keeps it for a redo (runManifest chmods then).
          mode = op.mode ?? 0o644;
          const spare = spares.write(op.data, mode);
          staged = spare ?? String(i);
          if (spare === undefined) writeFileAtomic(join(dir, staged), op.data, { sync: false, direct: true, mode });
          if (op.mtime !== undefined) utimesSync(join(dir, staged), op.mtime / 1000, op.mtime / 1000);
        } else {
          staged = String(i);
          stageCopy(op, join(dir, staged));
        }
        const dirs = dirsFor(op.path);
        const existed = stat(op.path) !== null;
        const inPlace = op.kind === 'write' && op.inPlace && existed ? ({ inPlace: true } as const) : {};
        manifest.push({ kind: 'write', path: rel, staged, existed, ...(mode !== undefined ? { mode } : {}), ...(dirs.length ? { dirs } : {}), ...near, ...inPlace });
        maybeCrash();
      } else {
        manifest.push({ kind: op.kind, path: rel, ...near });
      }
    });
    // Before the commit point: the names near ops will use, for whoever ends the transaction.
    staging = { kind: 'write', path: join(dir, 'near.json') };
    if (nearList.length > 0) writeFileAtomic(join(dir, 'near.json'), fileJson(nearList), { sync: durable() });
    if (durable()) fsyncDir(dir);
    // The commit point: the manifest, written whole under another name, then renamed (into
    // a spare, unless it is to be synced: writeFileAtomic does that).
    const json = fileJson(manifest);
    staging = { kind: 'write', path: join(dir, 'manifest.json') };
    const spare = durable() ? undefined : spares.write(json, 0o644);
    if (spare === undefined) writeFileAtomic(join(dir, 'manifest.json'), json, { sync: durable() });
    else renameSync(join(dir, spare), join(dir, 'manifest.json'));
  } catch (e) {
    // Before the commit point: nothing visible changed; what step 1 wrote at its place goes,
    // and the staging area goes back to the pool.
    let dropped = true;
    try {
      dropFresh(tree, fresh);
    } catch {
      dropped = false; // left for the next command, with tx/fresh.json: its recovery removes them
    }
    if (dropped) spares.close();
    if (staging) failedAt(e, staging.kind, relTo(tree.root, staging.path));
    throw wrapIo(tree, e, 'nothing was changed');
  }
  maybeCrash();
  try {
    runManifest(tree, manifest, spares, new Set(fresh.dirs));
  } catch (e) {
    rollBack(tree, manifest, e, spares);
    if ((e as NodeJS.ErrnoException).code === 'EXDEV' && !nearAll) throw new CrossedMount();
    throw wrapIo(tree, e, 'rolled back; nothing was changed');
  }
}

/** For a path, the index of the first op that replaces or removes it (Infinity: none). */
function firstChanges(ops: FileOp[]): (p: string) => number {
  const files = new Map<string, number>();
  const trees: Array<[string, number]> = [];
  ops.forEach((op, i) => {
    if (op.kind === 'rmtree') trees.push([op.path, i]);
    else if (!files.has(op.path)) files.set(op.path, i);
  });
  return (p) => {
    let first = files.get(p) ?? Infinity;
    for (const [t, i] of trees) if (i < first && p.startsWith(`${t}/`)) first = i;
    return first;
  };
}

/**
 * The writes step 1 makes at their place: a new file in .pc/ (not there, and not in the
 * staging area or the pool), that no other op of the transaction writes, removes, or
 * copies from.
 */
function directWrites(tree: Tree, ops: FileOp[], stat: StatMemo): Set<number> {
  const uses = new Map<string, number>();
  const trees: string[] = [];
  for (const op of ops) {
    uses.set(op.path, (uses.get(op.path) ?? 0) + 1);
    if (op.kind === 'copy') uses.set(op.from, 2);
    if (op.kind === 'rmtree') trees.push(op.path);
  }
  const out = new Set<number>();
  ops.forEach((op, i) => {
    if (op.kind !== 'write' || op.inPlace || uses.get(op.path) !== 1) return;
    if (!within(tree.pcDir, op.path) || within(join(tree.sideDir, 'tx'), op.path) || within(join(tree.sideDir, 'spare'), op.path)) return;
    if (trees.some((t) => within(t, op.path)) || stat(op.path) !== null) return;
    out.add(i);
  });
  return out;
}

/** Remove what step 1 wrote at its place (some may not be there yet), and the folders made for it. */
function dropFresh(tree: Tree, fresh: Fresh): void {
  for (const rel of fresh.files) rmSync(join(tree.root, rel), { force: true });
  for (let k = fresh.dirs.length - 1; k >= 0; k--) {
    try {
      rmdirSync(join(tree.root, fresh.dirs[k]!));
    } catch (e) {
      // Not made yet, or something else put a file there meanwhile: it stays.
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
    }
  }
}

/** A copy op (index i) may be a link made when it runs: see FileOp. `later`: first op changing its source. */
function linkable(from: Stats | null, i: number, later: number): boolean {
  // A symlink (a patch file linked to one kept elsewhere) is linked as the link itself
  // (link(2) does not follow it): the link moves, as quilt's mv moves it.
  return from !== null && (from.isFile() || from.isSymbolicLink()) && later > i && later !== Infinity;
}

function stageCopy(op: Extract<FileOp, { kind: 'copy' }>, staged: string): void {
  maybeFailWrite();
  const st = lstatSync(op.from);
  if (!st.isFile()) throw Object.assign(new Error(`${op.from} is not a regular file`), { code: 'EINVAL' });
  copyFileSync(op.from, staged); // keeps the mode (libuv fchmods the copy)
  if (op.touch) touch(staged);
}

function touch(p: string): void {
  const now = new Date();
  utimesSync(p, now, now);
}

/**
 * Step 3 of a link op: `target` becomes a hard link of `from`; redone, it sees what is done
 * (the old target set aside, the link there). Where links cannot be made (another file
 * system, EPERM): a copy through the staging area, so the target never holds half a file.
 */
function placeLink(tree: Tree, op: ManifestOp, i: number, target: string, aside: string, fresh: boolean): void {
  if (op.existed) setAside(target, aside, false, fresh);
  // Redone after a crash: with the old target set aside (or none), whatever is there is the link.
  if (!fresh && lexists(target)) return;
  const from = join(tree.root, op.from!);
  try {
    linkSync(from, target);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'EMLINK' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw e;
    // In the target's folder when the staging area is on another mount (a redo writes it again).
    const tmp = op.near ? nearPaths(target, i).tmp : join(txDir(tree), `link-${i}`);
    rmSync(tmp, { force: true });
    if (lstatSync(from).isSymbolicLink()) symlinkSync(readlinkSync(from), tmp);
    else copyWhole(from, tmp);
    maybeCrash();
    renameSync(tmp, target);
  }
  if (op.touch) touch(target);
}

/**
 * Copy `from` to the new file `to` with its mode and times, as the rename or link it stands
 * for would give (a staged write's mtime: add keeps the file's, as quilt). copyFileSync sets
 * the mode before the bytes, and a write by a process without CAP_FSETID (a user's) clears
 * the set-user-ID and set-group-ID bits: those are set again after.
 */
function copyWhole(from: string, to: string): void {
  copyFileSync(from, to, constants.COPYFILE_EXCL);
  const st = lstatSync(from);
  if ((st.mode & 0o6000) !== 0) chmodSync(to, st.mode & 0o7777);
  utimesSync(to, st.atimeMs / 1000, st.mtimeMs / 1000);
}

function mkdirOnce(d: string): void {
  try {
    mkdirSync(d);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
}

/**
 * Move whatever is at `target` into the undo area (once: a redo finds it done).
 * `dirOk`: only rmtree may set a directory aside; anywhere else a directory is the user's.
 */
function setAside(target: string, aside: string, dirOk: boolean, fresh: boolean): void {
  if (!fresh && lexists(aside)) return;
  if (fresh && !dirOk) {
    // Right after the checks (preflight: no directory where a file goes): move whatever
    // is there, without a look first; nothing there is nothing to keep.
    try {
      renameSync(target, aside);
    } catch (e) {
      // ENOTDIR: a file where a folder of the path was, so nothing there either (as lstat).
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw e;
    }
    return;
  }
  const st = lstatOrNull(target);
  // Nothing there: nothing to keep. No marker either (one file per op was a third of a
  // push's time): a write whose staged file is gone and that has no undo entry created
  // its target, which is all a roll-back needs to know.
  if (!st) return;
  if (st.isDirectory() && !dirOk) {
    const e = new Error(`${target} is a directory`) as NodeJS.ErrnoException;
    e.code = 'EISDIR';
    throw e;
  }
  renameSync(target, aside);
}

/**
 * Step 3. `spares`: the first run, right after the commit point (nothing placed or set
 * aside yet, so neither is checked per op; folders are made from spares); a recovery
 * (none) redoes with every check. `freshDirs`: the folders step 1 made (relative).
 */
function runManifest(tree: Tree, manifest: ManifestOp[], spares?: Spares, freshDirs: ReadonlySet<string> = new Set()): void {
  const fresh = spares !== undefined;
  const dir = txDir(tree);
  const undo = undoDir(tree);
  // Past the commit point what step 1 wrote is the manifest's: its list goes before
  // anything else (the manifest is removed at the end, and a staging area without one is
  // dropped with what fresh.json lists).
  rmSync(freshList(tree), { force: true });
  if (!spares?.takeDir(undo)) mkdirp(undo);
  const touchedDirs = new Set<string>();
  // Folders known to exist: a run writes many files into few folders. An rmtree may take
  // some away, so it forgets them all.
  const present = new Set<string>();
  // Targets placed so far: with `existed`, a fresh run knows what is there without a look.
  const placed = new Set<string>();
  const mayExist = (op: ManifestOp, target: string) => !fresh || op.existed !== false || placed.has(target);
  const ensureParent = (op: ManifestOp, target: string): void => {
    const parent = dirname(target);
    if (fresh && op.dirs?.length) {
      // The folders this op creates are listed, deepest first: made top down, one call each.
      for (let k = op.dirs.length - 1; k >= 0; k--) {
        if (freshDirs.has(op.dirs[k]!)) continue; // made in step 1
        const d = join(tree.root, op.dirs[k]!);
        if (!spares!.takeDir(d)) mkdirOnce(d);
      }
    } else if (op.dirs?.length || (!present.has(parent) && !lexists(parent))) {
      mkdirp(parent);
    }
    present.add(parent);
  };
  // The op running, for the message when it fails.
  let running: ManifestOp | undefined;
  try {
    manifest.forEach((op, i) => {
      running = op;
      runOp(op, i);
    });
  } catch (e) {
    throw running ? failedAt(e, running.kind, running.path) : e;
  }
  if (durable()) for (const d of touchedDirs) fsyncDir(d);
  closeTransaction(tree, spares, true);

  function runOp(op: ManifestOp, i: number): void {
    const target = join(tree.root, op.path);
    const near = op.near ? nearPaths(target, i) : null;
    const aside = near ? near.undo : join(undo, String(i));
    maybeFail();
    if (op.kind === 'link') {
      ensureParent(op, target);
      placeLink(tree, op, i, target, aside, fresh);
      placed.add(target);
    } else if (op.kind === 'write' && op.direct) {
      // Written at its place before the commit point. (A step as a staged write's set-aside
      // is: a sweep sized by PATCHQ_CRASH_AT=count meets the same steps with a pool of spare
      // inodes, whose staged files are placed, or without one.)
      maybeCrash();
      present.add(dirname(target));
      placed.add(target);
    } else if (op.kind === 'write' && op.inPlace) {
      const staged = join(dir, op.staged!);
      if (!fresh && !existsSync(staged)) return; // placed before a crash
      // The old bytes, copied whole into the undo area (a copy cut short is no set-aside),
      // then the new ones into the target's inode; a redo writes them again.
      if (fresh || !lexists(aside)) {
        copyFileSync(target, `${aside}.tmp`);
        renameSync(`${aside}.tmp`, aside);
      }
      maybeCrash();
      writeFileSync(target, readFileSync(staged));
      unlinkSync(staged);
      placed.add(target);
    } else if (op.kind === 'write') {
      let staged = join(dir, op.staged!);
      if (near) {
        // Across a mount: the staged file is copied into the target's folder, and leaves
        // the staging area once it is whole there (so a redo that finds it copies again);
        // from then on the copy is the staged file ("gone = placed", as below).
        if (fresh || lexists(staged)) {
          ensureParent(op, target);
          rmSync(near.tmp, { force: true });
          copyWhole(staged, near.tmp);
          maybeCrash();
          unlinkSync(staged);
        } else if (!lexists(near.tmp)) return; // placed before a crash
        staged = near.tmp;
      } else {
        if (!fresh && !existsSync(staged)) return; // placed before a crash
        ensureParent(op, target);
      }
      if (mayExist(op, target)) setAside(target, aside, false, fresh);
      maybeCrash();
      // Staged with its mode; a redo sets it again (what was staged may predate that).
      if (op.mode !== undefined && !fresh) chmodSync(staged, op.mode);
      renameSync(staged, target);
      placed.add(target);
    } else if (op.kind === 'mkdir') {
      // The folders it makes are listed, deepest first; a redo makes whatever is missing.
      if (fresh) for (let k = (op.dirs?.length ?? 0) - 1; k >= 0; k--) {
        const d = join(tree.root, op.dirs![k]!);
        if (!spares!.takeDir(d)) mkdirOnce(d);
      }
      else mkdirp(target);
      present.add(target);
    } else {
      if (op.kind === 'rmtree') present.clear();
      setAside(target, aside, op.kind === 'rmtree', fresh);
    }
    touchedDirs.add(dirname(target));
    maybeCrash();
  }
}

/**
 * The transaction is over (every op done, or every op undone): the manifest goes first,
 * then the rest. In the other order a kill partway through the removal could leave the
 * manifest with some undo entries gone, and the next run would redo (or undo) only part
 * of the ops; a staging area without a manifest is dropped as it is.
 */
function closeTransaction(tree: Tree, spares?: Spares, done = false): void {
  const dir = txDir(tree);
  for (const journal of ['manifest.json', 'rollback.json']) {
    try {
      unlinkSync(join(dir, journal));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  if (durable()) fsyncDir(dir);
  maybeCrash();
  try {
    removeNear(tree);
    if (spares) spares.close(done);
    else removeTree(dir);
  } catch {
    // The transaction is over: what cannot be removed (an immutable file set aside, or in
    // the pool) must not reach the caller's roll-back, which would undo part of a finished
    // transaction. The staging area, without a manifest, is the next command's to drop
    // (with what its near.json lists: so it stays whole when removeNear fails).
  }
}

/**
 * Remove what near ops left in the targets' folders (set-aside originals, copies a crash
 * cut short), as T/near.json lists them; near.json goes with the staging area, last.
 * Only names of near ops' shape are looked at, where a transaction may write (and beside
 * the series file).
 */
function removeNear(tree: Tree): void {
  const list = join(txDir(tree), 'near.json');
  let names: unknown;
  try {
    names = JSON.parse(readFileSync(list, 'utf8'));
  } catch (e) {
    // None, or torn before the commit point (written whole: then nothing used it). Not
    // read (an I/O error): thrown, so the list stays with the staging area for the next run.
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || e instanceof SyntaxError) return;
    throw e;
  }
  if (!Array.isArray(names)) return;
  for (const rel of names) {
    if (typeof rel !== 'string' || !NEAR_NAME.test(basename(rel))) continue;
    const p = join(tree.root, rel);
    // The series file's own are beside it, wherever an absolute QUILT_SERIES puts it.
    if (dirname(p) !== dirname(tree.seriesPath)) checkAllowed(tree, p, 'E_STATE');
    rmSync(p, { force: true, recursive: true });
  }
}

/**
 * tx/fresh.json of a transaction dropped before its commit point. None, or one cut short
 * (written before anything it names was made): nothing to remove.
 */
function readFresh(tree: Tree): Fresh {
  let fresh: Partial<Fresh>;
  try {
    fresh = JSON.parse(readFileSync(freshList(tree), 'utf8')) as Partial<Fresh>;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || e instanceof SyntaxError) return { files: [], dirs: [] };
    throw e;
  }
  // Only new files of .pc/ are ever listed: anything else is not removed.
  const ok = (rel: unknown): rel is string => typeof rel === 'string' && within(tree.pcDir, normalize(join(tree.root, rel)));
  return { files: Array.isArray(fresh.files) ? fresh.files.filter(ok) : [], dirs: Array.isArray(fresh.dirs) ? fresh.dirs.filter(ok) : [] };
}

/**
 * fsync is for power loss, not for kill -9 (the page cache outlives the process), and it
 * is what made a 100-patch push -a wait on the disk (~10 s here, against 1.8 s for a loop of
 * git apply, which never syncs). So it is opt-in: PATCHQ_FSYNC=1 syncs the staging area,
 * the commit point and every directory a transaction touched (docs/reliability.md).
 */
const durable = (): boolean => process.env.PATCHQ_FSYNC === '1';

/** Undo every op that happened, last first, from the set-aside originals. */
function rollBack(tree: Tree, manifest: ManifestOp[], cause: unknown, spares?: Spares): void {
  const dir = txDir(tree);
  const undo = undoDir(tree);
  // The op being undone, for the message when that fails.
  let undoing: ManifestOp | undefined;
  try {
    // From here on the journal says "going back": a kill during the roll-back makes the
    // next run finish the roll-back, not roll forward over ops already undone.
    if (existsSync(join(dir, 'manifest.json'))) renameSync(join(dir, 'manifest.json'), join(dir, 'rollback.json'));
    rmSync(freshList(tree), { force: true });
    for (let i = manifest.length - 1; i >= 0; i--) {
      const op = manifest[i]!;
      undoing = op;
      const target = join(tree.root, op.path);
      const near = op.near ? nearPaths(target, i) : null;
      const aside = near ? near.undo : join(undo, String(i));
      if (lexists(aside) && op.inPlace) {
        // The old bytes back into the same inode (its other names see them again).
        writeFileSync(target, readFileSync(aside));
        rmSync(aside);
      } else if (lexists(aside)) {
        if (op.kind === 'write' || op.kind === 'link') rmSync(target, { force: true });
        renameSync(aside, target);
      } else if (op.kind === 'write' && op.direct) {
        rmSync(target, { force: true }); // made by this transaction (there was nothing)
      } else if (op.kind === 'write' && !lexists(join(dir, op.staged!)) && !(near && lexists(near.tmp)) && op.existed !== true) {
        // Placed, and nothing was set aside: the write created the file. (A file that was
        // there had its original set aside first; with that gone, a roll-back put it back.)
        rmSync(target, { force: true });
      } else if (op.kind === 'link' && !op.existed) {
        rmSync(target, { force: true }); // there was nothing: whatever is there, the link made it
      }
      // A near op's copy not placed (it failed in between) goes before the folders it is in.
      // (lexists: a folder that could not be made, a name too long, holds no copy.)
      if (near && lexists(near.tmp)) rmSync(near.tmp, { force: true });
      // Deepest first; a directory something else put a file in meanwhile stays. (A
      // transaction journalled by an older patchq lists them in tx/undo/<n>.dirs.)
      const made = op.dirs ?? (lexists(`${aside}.dirs`) ? (JSON.parse(readFileSync(`${aside}.dirs`, 'utf8')) as string[]) : []);
      if (made.length) {
        for (const rel of made) {
          try {
            rmdirSync(join(tree.root, rel));
          } catch (e) {
            // Not made (the op failed making a deeper one, e.g. a name too long): its
            // parents were, and go. Not empty: the ones above are not either.
            const code = (e as NodeJS.ErrnoException).code;
            if (code !== 'ENOENT' && code !== 'ENAMETOOLONG') break;
          }
        }
      }
      maybeCrash();
    }
    undoing = undefined;
    closeTransaction(tree, spares);
  } catch (e) {
    if (undoing) failedAt(e, 'put back', undoing.path);
    throw new PatchqError(
      'E_STATE',
      `an operation failed (${describeFailure(tree, cause)}) and could not be undone (${describeFailure(tree, e)}); ` +
        `${relTo(tree.root, dir)} holds what is needed: fix the cause and run patchq again`,
    );
  }
}

/** Finish or drop an interrupted transaction. Returns true when there was one. */
export function recoverTransaction(tree: Tree): boolean {
  const dir = txDir(tree);
  if (!existsSync(dir)) return false;
  written++;
  // A roll-back that was cut short is finished first.
  const back = existsSync(join(dir, 'rollback.json'));
  const manifestPath = join(dir, back ? 'rollback.json' : 'manifest.json');
  if (!existsSync(manifestPath)) {
    try {
      dropFresh(tree, readFresh(tree));
      removeNear(tree);
    } catch (e) {
      throw new PatchqError('E_STATE', `an interrupted operation left files that could not be removed (${(e as Error).message}); ${dir} lists them: fix the cause and run patchq again`);
    }
    rmSync(dir, { recursive: true, force: true });
    return true;
  }
  let manifest: ManifestOp[];
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as ManifestOp[];
    if (!Array.isArray(manifest)) throw new Error('not a list');
  } catch {
    // The manifest is written atomically, so a torn one cannot happen; if it is
    // unreadable anyway, whether its ops ran is not known: say so, change nothing.
    throw new PatchqError('E_STATE', `interrupted operation cannot be recovered: ${manifestPath} is unreadable`);
  }
  for (const op of manifest) {
    if (typeof op?.path !== 'string' || (op.kind === 'link' && typeof op.from !== 'string')) throw new PatchqError('E_STATE', `interrupted operation cannot be recovered: ${manifestPath} is malformed`);
    checkAllowed(tree, join(tree.root, op.path), 'E_STATE');
    if (op.kind === 'link') checkAllowed(tree, join(tree.root, op.from!), 'E_STATE');
  }
  if (back) {
    rollBack(tree, manifest, new Error('a roll-back was interrupted'));
    return true;
  }
  try {
    runManifest(tree, manifest);
  } catch (e) {
    // Cannot finish (the cause is still there): go back to the state before it instead.
    rollBack(tree, manifest, e);
  }
  return true;
}

/** Which op a system error stopped: its verb and its path, relative to the tree. */
const failedOps = new WeakMap<object, { verb: string; path: string }>();
const VERBS: Record<string, string> = { write: 'write', link: 'write', copy: 'write', delete: 'delete', rmtree: 'remove', mkdir: 'make the folder' };

/** Notes on a system error the op it stopped (the first noted stays). */
function failedAt(e: unknown, kind: string, path: string): unknown {
  if (e instanceof Error && !(e instanceof PatchqError) && !failedOps.has(e)) failedOps.set(e, { verb: VERBS[kind] ?? kind, path });
  return e;
}

/**
 * A file-system error as patchq says it elsewhere: `cannot write sub/new.txt: operation
 * not permitted (EPERM)`, naming the file of the op it stopped, relative to the tree (the
 * one the user can do something about), not Node's `EPERM: operation not permitted,
 * rename '/abs/.pc/.patchq/tx/3' -> '/abs/sub/new.txt'`.
 */
function describeFailure(tree: Tree, e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (!(e instanceof Error) || e instanceof PatchqError || typeof err.code !== 'string') return e instanceof Error ? e.message : String(e);
  const op = failedOps.get(e);
  const what = op ? `cannot ${op.verb} ${op.path}` : err.syscall && err.path ? `cannot ${err.syscall} ${relTo(tree.root, normalize(err.path))}` : 'cannot write';
  return `${what}: ${reasonFor(err.code, err.errno)} (${err.code})`;
}

function wrapIo(tree: Tree, e: unknown, what: string): unknown {
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err.code === 'string' && !(e instanceof PatchqError)) {
    return new PatchqError('E_IO', `${describeFailure(tree, e)} (${what})`);
  }
  return e;
}
