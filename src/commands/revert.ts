/** revert: undo unrefreshed changes to files of the top (or named) patch (quilt's `revert`). */
import { PatchqError } from '../engine/errors.js';
import { revertFiles, treeRelative } from '../stack/index.js';
import { opt, tree } from './common.js';
import type { RunFn } from './types.js';

export const run: RunFn = async (ctx, args) => {
  if (args.positionals.length === 0) throw new PatchqError('E_USAGE', 'Usage: patchq revert [-P PATCH] FILE...');
  const t = tree(ctx);
  const patch = opt.str(args, 'patch');
  const res = revertFiles(t, args.positionals.map((f) => treeRelative(t, ctx.cwd, f)), { cwd: ctx.cwd, ...(patch ? { patch } : {}) });
  for (const l of res.lines) ctx.out.line(l);
  return { data: { patch: res.patch, reverted: res.reverted, unchanged: res.unchanged } };
};
