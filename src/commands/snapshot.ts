/**
 * snapshot: quilt's `snapshot [-d]`. Takes a snapshot of the working state of every file of
 * the applied patches (in .pc/.snap, as quilt keeps it), replacing the last one; `diff
 * --snapshot` then shows what changed since. -d only removes it. Prints nothing, as quilt.
 */
import { PatchqError } from '../engine/errors.js';
import { findRoot, openTree, removeSnapshot, takeSnapshot } from '../stack/index.js';
import { opt, tree } from './common.js';
import type { RunFn } from './types.js';

export const run: RunFn = async (ctx, args) => {
  if (args.positionals.length > 0) throw new PatchqError('E_USAGE', 'Usage: patchq snapshot [-d]');
  // quilt needs no series file for it (a tree with patches/ or .pc/ is enough); no tree at
  // all is the usual error (quilt would make a .pc here).
  const t = findRoot(ctx.cwd, ctx.env) === null ? tree(ctx) : openTree(ctx.cwd, ctx.env, { create: true });
  if (opt.bool(args, 'remove')) return { data: { removed: removeSnapshot(t) } };
  const res = takeSnapshot(t);
  return { data: { files: res.files, absent: res.absent } };
};
