/**
 * The tree guard: a relative path from a patch resolves inside the root, and no
 * directory on the way (nor the file itself) is a symlink leading out of the tree.
 *   resolveInside("/w/tree", "src/a.c")   -> "/w/tree/src/a.c"
 *   resolveInside("/w/tree", "link/x")    -> throws when link -> /etc
 *   resolveInside("/w/tree", "ln")        -> throws when ln is a symlink at all: patching
 *                                            through it would turn it into a regular file
 */
import { lstatSync, realpathSync, type Stats } from 'node:fs';
import { join, relative, isAbsolute, sep } from 'node:path';
import { PatchqError, reasonFor } from '../engine/errors.js';

type Where = { file?: string; line?: number };

const inside = (root: string, p: string): boolean => {
  const rel = relative(root, p);
  return rel === '' || (rel !== '..' && !rel.startsWith('..' + sep) && !isAbsolute(rel));
};

const shown = (root: string, p: string) => relative(root, p).split(sep).join('/');

/**
 * realpath of a root, once per process (a push reads and writes hundreds of paths under
 * the same three roots). A root that does not exist yet is not remembered.
 */
const realRoots = new Map<string, string>();
function realRootOf(root: string): string | null {
  let r = realRoots.get(root);
  if (r === undefined) {
    try {
      r = realpathSync(root);
    } catch {
      return null;
    }
    realRoots.set(root, r);
  }
  return r;
}

/**
 * Folders seen to be real (not symlinks) during one locked operation, so a push that reads
 * hundreds of files in a few folders asks about each folder once. Only under the stack
 * lock (session.ts turns it on and off): nothing patchq writes makes a symlink, and
 * outside the lock the tree may change between two reads.
 */
let realDirs: Set<string> | null = null;
export function cacheRealDirs(on: boolean): void {
  realDirs = on ? new Set() : null;
}

/**
 * Check each existing component of `rel`; `final` says whether the last one is checked too.
 * Returns the full path and, when `final`, the last component's lstat (undefined: absent).
 */
function walk(root: string, rel: string, where: Where, final: boolean): { full: string; st?: Stats } {
  const full = join(root, rel);
  if (isAbsolute(rel) || !inside(root, full)) throw new PatchqError('E_PATH_OUTSIDE', `refusing path '${rel}': it leads outside the tree`, where);
  const realRoot = realRootOf(root);
  if (realRoot === null) return { full }; // the root itself does not exist yet (a first patches/): no links below it
  const parts = rel.split(/[\\/]/).filter((p) => p !== '' && p !== '.');
  let cur = root;
  let st: Stats | undefined;
  for (const [k, part] of parts.entries()) {
    // (join only where it has work to do: a `..`, or the root `/`.)
    cur = part === '..' || cur.endsWith('/') ? join(cur, part) : `${cur}/${part}`;
    const last = k === parts.length - 1;
    if (last && !final) break;
    if (!last && realDirs?.has(cur)) continue;
    try {
      st = lstatSync(cur, { throwIfNoEntry: false });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // A folder on the way this user may not search (EACCES): the file may well be there,
      // so it is no new file; say so in one line instead of reading it as absent.
      if (code !== 'ENOTDIR' && code !== 'ENOENT') {
        throw new PatchqError('E_IO', `cannot stat ${shown(root, cur)}: ${reasonFor(code ?? 'EIO')} (${code ?? (e as Error).message})`, where);
      }
      st = undefined;
      break; // ENOTDIR: a file on the way; whoever writes there reports it
    }
    if (!st) break; // does not exist yet: nothing further can be a link
    if (!st.isSymbolicLink()) {
      if (!last && st.isDirectory()) realDirs?.add(cur);
      continue;
    }
    if (last) {
      throw new PatchqError('E_PATH_OUTSIDE', `refusing path '${rel}': it is a symlink (patchq patches regular files only; a patch through it would replace the link)`, where);
    }
    let target: string;
    try {
      target = realpathSync(cur);
    } catch {
      throw new PatchqError('E_PATH_OUTSIDE', `refusing path '${rel}': ${shown(root, cur)} is a dangling symlink`, where);
    }
    if (!inside(realRoot, target)) {
      throw new PatchqError('E_PATH_OUTSIDE', `refusing path '${rel}': ${shown(root, cur)} is a symlink that leads outside the tree`, where);
    }
  }
  return { full, ...(final && st && cur === full ? { st } : {}) };
}

export function resolveInside(root: string, rel: string, where: Where = {}): string {
  return walk(root, rel, where, true).full;
}

/** resolveInside, with the file's lstat (undefined: it does not exist). */
export function resolveInsideStat(root: string, rel: string, where: Where = {}): { full: string; st?: Stats } {
  return walk(root, rel, where, true);
}

/** The directories of `rel` stay in the tree (the last component itself may be anything). */
export function assertParentsInside(root: string, rel: string, where: Where = {}): string {
  return walk(root, rel, where, false).full;
}

/**
 * Why the symlink at `p` leads nowhere ('is a dangling symlink', 'is a symlink loop'), or
 * null: not a symlink, or one that resolves. For patches/ and .pc/, which may be links
 * (patches -> debian/patches), so a write through a broken one is refused by name.
 */
export function brokenLink(p: string): string | null {
  try {
    if (!lstatSync(p, { throwIfNoEntry: false })?.isSymbolicLink()) return null;
    realpathSync(p);
    return null;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ELOOP' ? 'is a symlink loop' : code === 'ENOENT' || code === 'ENOTDIR' ? 'is a dangling symlink' : `cannot be followed (${code ?? (e as Error).message})`;
  }
}
