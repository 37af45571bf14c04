/**
 * Opening a stack for a command: locate it, take the lock when writing, finish any
 * interrupted transaction, check quilt's consistency rule. Every op runs inside one.
 */
import { existsSync, lstatSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { acquireLock, alive } from '../fsx/lock.js';
import { brokenLink, cacheRealDirs } from '../fsx/guard.js';
import { findTree, locateOrCreateTree, requireSeries, type Tree } from './layout.js';
import { checkConsistency, metadataOps, readApplied, readSeriesOf } from './state.js';
import { writeFileAtomic } from '../fsx/atomic.js';
import { recoverTransaction, transactionsWritten } from './transaction.js';
import { PatchqError } from '../engine/errors.js';

export interface StackEvents {
  patchStart?(name: string, index: number, total: number): void;
  /** A line for people, in quilt's wording. */
  line?(text: string): void;
}

export function openTree(cwd: string, env: NodeJS.ProcessEnv = process.env, opts: { create?: boolean } = {}): Tree {
  const find = () => (opts.create ? locateOrCreateTree(cwd, env) : findTree(cwd, env));
  let tree = find();
  // An interrupted transaction is finished before anything is read: it may have the series
  // file itself set aside (then where the series is is known only afterwards).
  if (existsSync(join(tree.sideDir, 'tx'))) {
    const release = acquireLock(join(tree.sideDir, 'lock'));
    try {
      recoverTransaction(tree);
    } finally {
      release();
    }
    tree = find();
  }
  return opts.create ? tree : requireSeries(tree);
}

/**
 * quilt refuses a .pc without .version ("created by an older version of quilt"), and the
 * lock lives in .pc: so whoever creates .pc writes quilt's metadata with it.
 */
function ensureMetadata(tree: Tree): string[] {
  if (existsSync(join(tree.pcDir, '.version'))) return [];
  removeStaleTemps(tree.pcDir);
  // .version last: it says the metadata is there, so a kill before it (which may leave a
  // temp file of writeFileAtomic's) brings the next command back here.
  const ops = metadataOps(tree).sort((a, b) => Number(a.path.endsWith('/.version')) - Number(b.path.endsWith('/.version')));
  const made: string[] = [];
  for (const op of ops) {
    if (op.kind !== 'write') continue;
    writeFileAtomic(op.path, op.data);
    made.push(op.path);
  }
  return made;
}

/** writeFileAtomic's temp names for the metadata files: `..version.patchq-<pid>-<n>.tmp`. */
const METADATA_TEMP = /^\.\.(?:version|quilt_patches|quilt_series)\.patchq-(\d+)-\d+\.tmp$/;

/**
 * The temp files a process killed while writing .pc's metadata left (no lock is held yet:
 * another patchq may be writing its own right now, so only a dead writer's, or one older
 * than a minute, which no live writer of a few bytes is).
 */
function removeStaleTemps(pcDir: string): void {
  let names: string[];
  try {
    names = readdirSync(pcDir);
  } catch {
    return; // no .pc yet
  }
  for (const name of names) {
    const m = METADATA_TEMP.exec(name);
    if (!m) continue;
    const path = join(pcDir, name);
    const st = lstatSync(path, { throwIfNoEntry: false });
    if (st?.isFile() && (!alive(Number(m[1])) || st.mtimeMs < Date.now() - 60_000)) rmSync(path, { force: true });
  }
}

/**
 * The locks this process holds, by path, with how deeply: a command made of many
 * transactions (reapply) holds the lock from its first step to its last, so no other
 * patchq runs between them, and each step takes it again inside.
 */
const holding = new Map<string, number>();

/**
 * quilt's metadata files in .pc, in the order they are taken back: .version first, so a
 * kill in between leaves what an interrupted ensureMetadata leaves (no .version), which
 * the next command completes.
 */
const METADATA = ['.version', '.quilt_series', '.quilt_patches'];

/**
 * The lock, and quilt's metadata with it. The outermost holder notes whether .pc and
 * .pc/.patchq were there before it made them (for the lock), and writes the metadata only
 * once it holds the lock, noting what it wrote: so that what the command did not need goes
 * again as it lets the lock go (a refusal changes nothing on disk), and so that nothing
 * writes or takes back metadata without the lock (a refused command that took back what
 * it had written before the lock could take away what a push had meanwhile made part of
 * a stack; a writer without the lock could leave a .version without the other two).
 */
function takeLock(tree: Tree, metadata = true): () => void {
  const path = join(tree.sideDir, 'lock');
  const depth = holding.get(path) ?? 0;
  const had = depth === 0 ? found(tree) : null;
  const release = depth === 0 ? acquireLock(path) : () => {};
  holding.set(path, depth + 1);
  const writes = transactionsWritten();
  let made: string[] = [];
  const letGo = (): void => {
    const left = holding.get(path)! - 1;
    if (left > 0) return void holding.set(path, left);
    holding.delete(path);
    if (!had) return release();
    let side = false;
    let drop = false;
    try {
      const wrote = transactionsWritten() !== writes;
      const ours = !had.side && onlyLockAndPool(tree);
      // .pc goes when it holds nothing the command wrote, even after writes elsewhere (an
      // import writes only patches/, and quilt's makes no .pc); a .pc/.patchq it made in a
      // .pc that was there goes when the command wrote nothing at all.
      drop = ours && !had.pc && onlyMetadata(tree);
      side = drop || (ours && !wrote);
      if (side) rmSync(join(tree.sideDir, 'spare'), { recursive: true, force: true });
      // A .pc that was there without quilt's metadata (an older quilt's, or a kill while
      // it was written) gets it only from a command that changes something. A .pc this
      // command made and cannot take back (another patchq's lock attempt is in .patchq)
      // keeps its metadata: a .pc left must be one quilt takes.
      const undo = drop ? METADATA.map((n) => join(tree.pcDir, n)) : wrote || !had.pc ? [] : made;
      for (const name of METADATA) if (undo.includes(join(tree.pcDir, name))) rmSync(join(tree.pcDir, name), { force: true });
    } catch {
      // Tidying only: what cannot be removed (an I/O error, an immutable file) stays, as it
      // was before this tidying existed; the command keeps its own outcome and message.
    }
    release();
    if (side) removeEmptyDir(tree.sideDir);
    if (drop) removeEmptyDir(tree.pcDir);
  };
  try {
    made = metadata ? ensureMetadata(tree) : [];
  } catch (e) {
    letGo();
    throw e;
  }
  return letGo;
}

/**
 * Whether .pc and .pc/.patchq were there before this command, for what it takes back as
 * it ends. A .pc/.patchq that holds nothing but locks (another patchq's, or its attempt
 * at one: lock, lock.PID.tmp, lock.break, lock.break.break...) was made by another
 * patchq for its lock, as this one would make it; so was a .pc without quilt's metadata
 * that holds only such a .pc/.patchq. Two commands starting together in a tree without
 * .pc must not both take the other's .pc for a user's (one would then take back the
 * metadata and leave a .pc quilt refuses).
 */
function found(tree: Tree): { pc: boolean; side: boolean } {
  const side = names(tree.sideDir);
  const sideHad = side !== null && !side.every((n) => n.startsWith('lock'));
  if (existsSync(join(tree.pcDir, '.version'))) return { pc: true, side: sideHad };
  const pc = names(tree.pcDir);
  return { pc: pc !== null && !(pc.every((n) => n === '.patchq') && !sideHad), side: sideHad };
}

/**
 * Whether .pc/.patchq, made by this command for its lock, holds nothing but the lock and
 * the pool of spare inodes (never state; a transaction rolled back leaves what it staged
 * there): then the command wrote no record there, and the pool may be removed (under the
 * lock), the folder after the lock. A refusal, or a write that failed and was rolled back,
 * leaves a tree quilt made as it was.
 */
function onlyLockAndPool(tree: Tree): boolean {
  const side = names(tree.sideDir);
  return side !== null && side.every((n) => n === 'lock' || n === 'spare');
}

/**
 * Whether .pc, made by this command for its lock, holds nothing but quilt's three metadata
 * files and .patchq: then the command wrote no state, and the metadata and .pc go again as
 * it ends. A refusal (a pop with nothing applied, a wrong patch name...) leaves a tree
 * without .pc as it was, as quilt's do; so does an import, which writes only patches/
 * (quilt's import makes no .pc either).
 */
function onlyMetadata(tree: Tree): boolean {
  const pc = names(tree.pcDir);
  return pc !== null && pc.every((n) => n === '.patchq' || METADATA.includes(n));
}

function names(dir: string): string[] | null {
  try {
    return readdirSync(dir);
  } catch {
    return null;
  }
}

/** rmdir: only when empty (another patchq may have put its lock there meanwhile), errors ignored. */
function removeEmptyDir(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // not empty, or not there: left as it is
  }
}

/**
 * .pc/ or patches/ a symlink that leads nowhere (dangling, a loop): named before the lock
 * or .pc's metadata is made, where a write through it would fail halfway (ENOENT, ELOOP).
 */
function checkAreaLinks(tree: Tree): void {
  for (const area of [tree.pcDir, tree.patchesDir]) {
    const why = brokenLink(area);
    if (why) throw new PatchqError('E_IO', `${relative(tree.root, area) || area} ${why} (nothing was changed)`);
  }
}

/** `metadata: false`: quilt's metadata is not written for the lock (upgrade writes .version itself). */
export function withLock<T>(tree: Tree, fn: () => T, opts: { metadata?: boolean } = {}): T {
  checkAreaLinks(tree);
  const release = takeLock(tree, opts.metadata ?? true);
  try {
    recoverTransaction(tree);
    cacheRealDirs(true);
    return fn();
  } finally {
    cacheRealDirs(false);
    release();
  }
}

export async function withLockAsync<T>(tree: Tree, fn: () => Promise<T>): Promise<T> {
  checkAreaLinks(tree);
  const release = takeLock(tree);
  try {
    recoverTransaction(tree);
    cacheRealDirs(true);
    return await fn();
  } finally {
    cacheRealDirs(false);
    release();
  }
}

/** Series and applied list, checked against each other. */
export function loadState(tree: Tree) {
  const series = readSeriesOf(tree);
  const applied = readApplied(tree);
  checkConsistency(tree, series, applied);
  return { series, applied };
}
