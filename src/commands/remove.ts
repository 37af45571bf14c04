/** remove: take files out of the top (or named) patch (quilt's `remove [-P patch] file...`). */
import { PatchqError } from '../engine/errors.js';
import { removeFiles, treeRelative } from '../stack/index.js';
import { opt, tree } from './common.js';
import type { RunFn } from './types.js';

export const run: RunFn = async (ctx, args) => {
  if (args.positionals.length === 0) throw new PatchqError('E_USAGE', 'Usage: patchq remove [-P PATCH] FILE...');
  const t = tree(ctx);
  const patch = opt.str(args, 'patch');
  const res = removeFiles(t, args.positionals.map((f) => treeRelative(t, ctx.cwd, f)), { cwd: ctx.cwd, ...(patch ? { patch } : {}) });
  for (const l of res.lines) ctx.out.line(l);
  return { data: { patch: res.patch, removed: res.removed } };
};
