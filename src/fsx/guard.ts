/**
 * The tree guard: a relative path from a patch resolves inside the root, and no
 * directory on the way (nor the file itself) is a symlink leading out of the tree.
 *   resolveInside("/w/tree", "src/a.c")   -> "/w/tree/src/a.c"
 *   resolveInside("/w/tree", "link/x")    -> throws when link -> /etc
 */
import { lstatSync, realpathSync } from 'node:fs';
import { join, relative, isAbsolute, sep } from 'node:path';
import { PatchqError } from '../engine/errors.js';

const inside = (root: string, p: string): boolean => {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

export function resolveInside(root: string, rel: string, where: { file?: string; line?: number } = {}): string {
  const full = join(root, rel);
  if (!inside(root, full)) throw new PatchqError('E_PATH_OUTSIDE', `refusing path '${rel}': it leads outside the tree`, where);
  const realRoot = realpathSync(root);
  let cur = root;
  for (const part of rel.split(/[\\/]/)) {
    cur = join(cur, part);
    let st;
    try {
      st = lstatSync(cur);
    } catch {
      break; // does not exist yet: nothing further can be a link
    }
    if (st.isSymbolicLink()) {
      let target: string;
      try {
        target = realpathSync(cur);
      } catch {
        throw new PatchqError('E_PATH_OUTSIDE', `refusing path '${rel}': ${relative(root, cur)} is a dangling symlink`, where);
      }
      if (!inside(realRoot, target)) {
        throw new PatchqError('E_PATH_OUTSIDE', `refusing path '${rel}': ${relative(root, cur).split(sep).join('/')} is a symlink that leads outside the tree`, where);
      }
    }
  }
  return full;
}
