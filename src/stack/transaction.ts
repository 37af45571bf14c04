/**
 * THE one transaction shape. Every stack mutation (push, pop, refresh, new, add, delete,
 * rename, fold, import, reapply...) is a list of FileOps computed fully in memory first
 * ("check everything, then write"), then run as a redo log:
 *
 *   1. stage   every new content as .pc/.patchq/tx/<n>           (nothing visible changed)
 *   2. commit  write + fsync .pc/.patchq/tx/manifest.json         <- the commit point
 *   3. apply   each op in order: write = rename(staged, target)   (atomic per file)
 *                                delete / rmtree = rm -f / rm -rf
 *   4. done    remove .pc/.patchq/tx
 *
 * Recovery (recoverTransaction, run under the lock before any command reads state):
 *   manifest present      -> roll forward: redo every op; a write whose staged file is
 *                            gone was already renamed into place, so redoing is idempotent
 *   tx dir, no manifest   -> the crash came before the commit point: delete it
 * So `kill -9` at any moment leaves either the old state or the new one, and the next
 * command finishes the job: the stack never lies about what is applied.
 *
 * Test hook (docs/reliability.md): PATCHQ_CRASH_AT=n SIGKILLs the process right after
 * the n-th op of step 3.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { writeFileAtomic, fsyncDir } from '../fsx/atomic.js';
import { PatchqError } from '../engine/errors.js';
import type { Tree } from './layout.js';

export type FileOp =
  /** Write bytes (latin1 string or Buffer) to an absolute path, with a mode (default 0o644). */
  | { kind: 'write'; path: string; data: string | Buffer; mode?: number }
  | { kind: 'delete'; path: string }
  /** Remove a directory tree (a patch's .pc folder). */
  | { kind: 'rmtree'; path: string };

interface ManifestOp {
  kind: FileOp['kind'];
  /** Relative to the tree root. */
  path: string;
  staged?: string;
  mode?: number;
}

const txDir = (tree: Tree) => join(tree.sideDir, 'tx');

let crashCounter = 0;
function maybeCrash(): void {
  const at = process.env.PATCHQ_CRASH_AT;
  if (at !== undefined && ++crashCounter === Number(at)) process.kill(process.pid, 'SIGKILL');
}

export function applyTransaction(tree: Tree, ops: FileOp[]): void {
  if (ops.length === 0) return;
  const dir = txDir(tree);
  if (existsSync(dir)) recoverTransaction(tree);
  mkdirSync(dir, { recursive: true });
  const manifest: ManifestOp[] = [];
  try {
    ops.forEach((op, i) => {
      const rel = relative(tree.root, op.path);
      if (op.kind === 'write') {
        const staged = String(i);
        writeFileAtomic(join(dir, staged), op.data, { mode: op.mode ?? 0o644, sync: false });
        manifest.push({ kind: 'write', path: rel, staged, mode: op.mode ?? 0o644 });
      } else {
        manifest.push({ kind: op.kind, path: rel });
      }
    });
    fsyncDir(dir);
    writeFileAtomic(join(dir, 'manifest.json'), JSON.stringify(manifest));
  } catch (e) {
    // Before the commit point: nothing visible changed; drop the staging area.
    rmSync(dir, { recursive: true, force: true });
    throw wrapIo(e);
  }
  runManifest(tree, manifest);
}

function runManifest(tree: Tree, manifest: ManifestOp[]): void {
  const dir = txDir(tree);
  const touchedDirs = new Set<string>();
  for (const op of manifest) {
    const target = join(tree.root, op.path);
    if (op.kind === 'write') {
      const staged = join(dir, op.staged!);
      if (existsSync(staged)) {
        mkdirSync(dirname(target), { recursive: true });
        // A directory where a file must go (or the reverse) is the user's: refuse loudly.
        rmSync(target, { force: true });
        chmodSync(staged, op.mode ?? 0o644);
        renameSync(staged, target);
        touchedDirs.add(dirname(target));
      }
    } else if (op.kind === 'delete') {
      rmSync(target, { force: true });
      touchedDirs.add(dirname(target));
    } else {
      rmSync(target, { recursive: true, force: true });
    }
    maybeCrash();
  }
  for (const d of touchedDirs) fsyncDir(d);
  rmSync(dir, { recursive: true, force: true });
}

/** Finish or drop an interrupted transaction. Returns true when there was one. */
export function recoverTransaction(tree: Tree): boolean {
  const dir = txDir(tree);
  if (!existsSync(dir)) return false;
  const manifestPath = join(dir, 'manifest.json');
  if (!existsSync(manifestPath)) {
    rmSync(dir, { recursive: true, force: true });
    return true;
  }
  let manifest: ManifestOp[];
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as ManifestOp[];
  } catch {
    // The manifest is written atomically, so a torn one cannot happen; if it is
    // unreadable anyway, nothing was applied from it yet is not certain: say so.
    throw new PatchqError('E_STATE', `interrupted operation cannot be recovered: ${manifestPath} is unreadable`);
  }
  runManifest(tree, manifest);
  return true;
}

function wrapIo(e: unknown): unknown {
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err.code === 'string' && !(e instanceof PatchqError)) {
    return new PatchqError('E_IO', `${err.message} (nothing was changed)`);
  }
  return e;
}
