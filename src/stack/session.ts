/**
 * Opening a stack for a command: locate it, take the lock when writing, finish any
 * interrupted transaction, check quilt's consistency rule. Every op runs inside one.
 */
import { existsSync, lstatSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { acquireLock, alive } from '../fsx/lock.js';
import { brokenLink, cacheRealDirs } from '../fsx/guard.js';
import { findTree, locateOrCreateTree, requireSeries, type Tree } from './layout.js';
import { checkConsistency, metadataOps, readApplied, readSeriesOf } from './state.js';
import { writeFileAtomic } from '../fsx/atomic.js';
import { recoverTransaction } from './transaction.js';
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
function ensureMetadata(tree: Tree): void {
  if (existsSync(join(tree.pcDir, '.version'))) return;
  removeStaleTemps(tree.pcDir);
  // .version last: it says the metadata is there, so a kill before it (which may leave a
  // temp file of writeFileAtomic's) brings the next command back here.
  const ops = metadataOps(tree).sort((a, b) => Number(a.path.endsWith('/.version')) - Number(b.path.endsWith('/.version')));
  for (const op of ops) if (op.kind === 'write') writeFileAtomic(op.path, op.data);
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

function takeLock(tree: Tree): () => void {
  const path = join(tree.sideDir, 'lock');
  const depth = holding.get(path) ?? 0;
  const release = depth === 0 ? acquireLock(path) : () => {};
  holding.set(path, depth + 1);
  return () => {
    const left = holding.get(path)! - 1;
    if (left > 0) return void holding.set(path, left);
    holding.delete(path);
    release();
  };
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

export function withLock<T>(tree: Tree, fn: () => T): T {
  checkAreaLinks(tree);
  ensureMetadata(tree);
  const release = takeLock(tree);
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
  ensureMetadata(tree);
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
